namespace ImageBuilder.Operator.Builds;

/// <summary>Asks the image registry (Distribution API v2) about pushed images.</summary>
public interface IRegistryClient
{
    /// <summary>
    /// The manifest digest of <paramref name="repository"/>:<paramref name="tag"/>. <paramref name="repository"/>
    /// includes the registry host (e.g. <c>127.0.0.1:5000/18008/app</c>).
    /// </summary>
    Task<RegistryLookup> GetDigestAsync(string repository, string tag, CancellationToken cancellationToken);
}
