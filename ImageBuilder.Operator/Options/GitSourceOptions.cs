namespace ImageBuilder.Operator.Options;

/// <summary>
/// Which git remotes end users may name (<c>Sources:Git</c>). Requests come from end users and the
/// operator runs <c>git ls-remote</c> from inside the cluster, so by default only public addresses
/// are reachable; each relaxation is an explicit switch.
/// </summary>
public sealed class GitSourceOptions
{
    /// <summary>
    /// Host names (or IP literals) the git connector may use, exact or <c>*.example.com</c> for any
    /// subdomain. Empty: any host, subject to the address checks below.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Allow hosts that resolve to loopback (127.0.0.0/8, ::1). The development platform needs it.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow private addresses: 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 (ULA), fec0::/10.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Allow link-local addresses (169.254/16, fe80::/10). Cloud metadata endpoints stay refused.</summary>
    public bool AllowLinkLocal { get; set; }

    /// <summary>Allow file:// URLs (a path on the operator's and the fetch container's file systems).</summary>
    public bool AllowFileUrls { get; set; }
}
