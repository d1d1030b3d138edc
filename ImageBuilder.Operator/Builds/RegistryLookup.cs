namespace ImageBuilder.Operator.Builds;

/// <summary>The answer of <see cref="IRegistryClient.GetDigestAsync"/>: found, not found, or a service failure.</summary>
public sealed record RegistryLookup
{
    private RegistryLookup(string? digest, string? error)
    {
        Digest = digest;
        Error = error;
    }

    /// <summary>The manifest digest (sha256:…) when the tag exists.</summary>
    public string? Digest { get; }

    /// <summary>Why the registry could not answer (a service fault); never holds a credential.</summary>
    public string? Error { get; }

    public bool Found => Digest is not null;

    public bool Failed => Error is not null;

    public static RegistryLookup Exists(string digest) => new(digest, null);

    public static RegistryLookup NotFound { get; } = new(null, null);

    public static RegistryLookup Failure(string error) => new(null, error);
}
