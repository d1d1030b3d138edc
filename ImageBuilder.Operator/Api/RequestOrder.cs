using System.Globalization;

namespace ImageBuilder.Operator.Api;

/// <summary>
/// The order in which builds were requested: what "newer" means for superseding and for the order of notifications
/// (never the wall clock of completion). The instant is the <see cref="Annotations.RequestedAt"/> stamp (the bridge's
/// receipt, 100 ns resolution), else the creationTimestamp (1 s); equal instants are ordered by name so every replica
/// and every reconcile agree on one total order.
/// </summary>
public readonly record struct RequestOrder(DateTimeOffset At, string Name) : IComparable<RequestOrder>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static RequestOrder Of(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var at = build.Metadata.Annotations?.TryGetValue(Annotations.RequestedAt, out var stamp) == true && TryParse(stamp, out var parsed)
            ? parsed
            : build.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        return new RequestOrder(at, build.Metadata.Name ?? "");
    }

    /// <summary>The annotation's text for <paramref name="at"/>: RFC 3339 in UTC with seven fractional digits.</summary>
    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);

    public int CompareTo(RequestOrder other)
    {
        var byTime = At.UtcTicks.CompareTo(other.At.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(Name, other.Name);
    }

    public static bool operator <(RequestOrder left, RequestOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(RequestOrder left, RequestOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(RequestOrder left, RequestOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RequestOrder left, RequestOrder right) => left.CompareTo(right) >= 0;
}
