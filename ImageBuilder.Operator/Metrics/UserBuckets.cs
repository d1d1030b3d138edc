using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImageBuilder.Operator.Metrics;

/// <summary>
/// Maps a userID to one of a fixed number of buckets for metric labels: the series stay few however many users
/// there are, and no userID appears in /metrics. Stable across processes and replicas (a SHA-256 of the id, not the
/// per-process randomized string hash), so a bucket means the same users on every scrape.
/// </summary>
public static class UserBuckets
{
    public const int Count = 16;

    public static int Of(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userId));
        return hash[0] % Count;
    }

    public static string Label(int bucket) => bucket.ToString("00", CultureInfo.InvariantCulture);
}
