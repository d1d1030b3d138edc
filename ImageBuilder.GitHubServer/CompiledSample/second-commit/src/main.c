#include <stdio.h>
#include "heavy.h"

int main(void) {
    unsigned long v[64];
    for (unsigned long i = 0; i < 64; i++) v[i] = i * 2654435761UL;
    printf("compiled sample v2: checksum %lu\n", heavy_all(v, 100));
    return 0;
}
