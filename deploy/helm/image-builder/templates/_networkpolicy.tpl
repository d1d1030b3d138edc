{{/*
Helpers of networkpolicy.yaml. The apiserver accepts an ipBlock.except entry only when it lies
strictly inside the block's cidr, so the chart works out which excluded ranges fall inside each
allowed CIDR (IPv4 arithmetic on integers: sprig has no CIDR functions).
*/}}

{{/* Never reachable from a build pod: the cloud metadata address (instance credentials). */}}
{{- define "image-builder.metadataCidr" -}}169.254.169.254/32{{- end }}

{{/* "a.b.c.d" as an integer. */}}
{{- define "image-builder.ipv4Int" -}}
{{- $o := splitList "." . -}}
{{- add (mul (atoi (index $o 0)) 16777216) (mul (atoi (index $o 1)) 65536) (mul (atoi (index $o 2)) 256) (atoi (index $o 3)) -}}
{{- end }}

{{/* The number of the /prefix block that "a.b.c.d/n" falls in, for a given prefix length. */}}
{{- define "image-builder.ipv4Block" -}}
{{- $size := 1 -}}
{{- range until (int (sub 32 (int .prefix))) }}{{ $size = mul $size 2 }}{{ end -}}
{{- div (int64 (include "image-builder.ipv4Int" .ip)) $size -}}
{{- end }}

{{/*
The except list (JSON) of one allowed IPv4 CIDR: the metadata address and every excluded CIDR that
lies strictly inside it. Fails when the allowed CIDR itself lies inside an excluded one, since
that destination could never be reached and the values contradict each other.
Input: dict "cidr" "excluded" (list) "what" (the value's path, for the message).
*/}}
{{- define "image-builder.ipv4Except" -}}
{{- $allowed := splitList "/" .cidr -}}
{{- $n := int (index $allowed 1) -}}
{{- $except := list -}}
{{- range $e := prepend .excluded (include "image-builder.metadataCidr" $) -}}
{{- $ex := splitList "/" $e -}}
{{- $m := int (index $ex 1) -}}
{{- if and (gt $m $n) (eq (include "image-builder.ipv4Block" (dict "ip" (index $ex 0) "prefix" $n)) (include "image-builder.ipv4Block" (dict "ip" (index $allowed 0) "prefix" $n))) -}}
{{- $except = append $except $e -}}
{{- else if and (le $m $n) (eq (include "image-builder.ipv4Block" (dict "ip" (index $ex 0) "prefix" $m)) (include "image-builder.ipv4Block" (dict "ip" (index $allowed 0) "prefix" $m))) -}}
{{- fail (printf "%s: %s lies inside the excluded %s (buildNetworkPolicy.excludedCidrs or the metadata address), so build pods could never reach it" $.what $.cidr $e) -}}
{{- end -}}
{{- end -}}
{{- $except | uniq | toJson -}}
{{- end }}

{{/*
The peers ("to" entries, as a JSON list) of one destination: an ipBlock per CIDR with its
exclusions, and one selector peer when a selector is given. Empty selectors are skipped: an empty
namespaceSelector would mean every namespace. Input: dict "dest" "excluded" "what".
*/}}
{{- define "image-builder.buildPeers" -}}
{{- $root := . -}}
{{- $peers := list -}}
{{- range $cidr := .dest.cidrs -}}
{{- $block := dict "cidr" $cidr -}}
{{- $except := include "image-builder.ipv4Except" (dict "cidr" $cidr "excluded" $root.excluded "what" $root.what) | fromJsonArray -}}
{{- if $except }}{{ $_ := set $block "except" $except }}{{ end -}}
{{- $peers = append $peers (dict "ipBlock" $block) -}}
{{- end -}}
{{- $selector := dict -}}
{{- with .dest.namespaceSelector }}{{ $_ := set $selector "namespaceSelector" . }}{{ end -}}
{{- with .dest.podSelector }}{{ $_ := set $selector "podSelector" . }}{{ end -}}
{{- if $selector }}{{ $peers = append $peers $selector }}{{ end -}}
{{- $peers | toJson -}}
{{- end }}
