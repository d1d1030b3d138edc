namespace ImageBuilder.Operator.Options;

/// <summary>
/// The read-only build dashboard served on the operator's own HTTP port (<c>/</c>). Off by default: it has no login,
/// so it is switched on where the port is reachable only by the people who may see every build (a port-forward,
/// the development platform).
/// </summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    public bool Enabled { get; set; }

    /// <summary>Repositories read from the registry's catalog at most; a larger registry is shown truncated, and says so.</summary>
    public int MaxRepositories { get; set; } = 1000;

    /// <summary>Tags of one repository shown at most (each costs one manifest request).</summary>
    public int MaxTagsPerRepository { get; set; } = 100;

    /// <summary>How long an answer of the registry is reused, so an open page does not hammer it.</summary>
    public TimeSpan RegistryCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle live stream sends a ping, so proxies keep it open and a dead client is noticed.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);
}
