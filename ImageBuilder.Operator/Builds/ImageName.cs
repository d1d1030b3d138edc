namespace ImageBuilder.Operator.Builds;

/// <summary>An image repository (registry host included) and a tag.</summary>
public sealed record ImageName(string Repository, string Tag)
{
    /// <summary><c>repository:tag</c>.</summary>
    public string Reference => $"{Repository}:{Tag}";

    /// <summary>The registry host[:port], the first path segment of <see cref="Repository"/>.</summary>
    public string Registry => Repository.Split('/', 2)[0];

    /// <summary>The repository path inside the registry.</summary>
    public string Path => Repository.Contains('/', StringComparison.Ordinal) ? Repository.Split('/', 2)[1] : Repository;

    /// <summary>Splits <c>repository:tag</c>; the tag is <c>latest</c> when none is given.</summary>
    public static ImageName Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? new ImageName(reference[..colon], reference[(colon + 1)..]) : new ImageName(reference, "latest");
    }

    public override string ToString() => Reference;
}
