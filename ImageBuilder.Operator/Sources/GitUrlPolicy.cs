using System.Net;
using System.Net.Sockets;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Decides whether an end user's git URL may be reached from inside the cluster: the scheme, the host
/// allow-list, then every address the host resolves to. Nothing here opens a connection; the caller runs
/// git only on a URL this accepted, pinned to the addresses checked here (see <see cref="GitConnector"/>).
/// </summary>
public sealed class GitUrlPolicy
{
    /// <summary>User fault reason: the URL's scheme, host or addresses are not allowed by configuration.</summary>
    public const string UrlNotAllowed = "GitUrlNotAllowed";

    /// <summary>AWS, GCP, Azure, OpenStack metadata service; refused whatever the configuration.</summary>
    private static readonly IPAddress MetadataV4 = IPAddress.Parse("169.254.169.254");

    /// <summary>AWS's IPv6 metadata endpoint (in fc00::/7); refused whatever the configuration.</summary>
    private static readonly IPAddress MetadataV6 = IPAddress.Parse("fd00:ec2::254");

    private readonly GitSourceOptions _options;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public GitUrlPolicy(GitSourceOptions options, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    /// <summary>The addresses the URL's host resolved to (all allowed), or a failure saying why it is refused.</summary>
    public async Task<(IReadOnlyList<IPAddress> Addresses, BuildFailure? Failure)> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.IsFile)
        {
            return _options.AllowFileUrls
                ? ([], null)
                : ([], Refused("file:// git URLs are not allowed here; use an http(s):// or git:// URL."));
        }
        var host = url.DnsSafeHost.TrimEnd('.').ToLowerInvariant();
        if (_options.AllowedHosts.Count > 0 && !_options.AllowedHosts.Any(pattern => Matches(pattern, host)))
        {
            return ([], Refused($"The git host '{host}' is not in the operator's list of allowed git hosts."));
        }
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                return ([], User(SourceFailureReasons.RepositoryNotFound, $"The git host '{host}' does not exist (no DNS record)."));
            }
            catch (SocketException e)
            {
                return ([], new BuildFailure { Fault = Faults.Service, Reason = SourceFailureReasons.GitUnavailable, Message = $"The git host '{host}' could not be resolved ({e.SocketErrorCode}); the build will be retried." });
            }
        }
        if (addresses.Length == 0)
        {
            return ([], User(SourceFailureReasons.RepositoryNotFound, $"The git host '{host}' resolves to no address."));
        }
        // Every address must pass: git may connect to any of them.
        foreach (var address in addresses)
        {
            if (Category(address) is { } category && !Allows(category))
            {
                return ([], Refused($"The git host '{host}' resolves to a {category} address ({address}), which this operator does not reach for builds."));
            }
        }
        return (addresses, null);
    }

    /// <summary>
    /// The kind of a non-public address (<c>loopback</c>, <c>private</c>, <c>link-local</c>, <c>unspecified</c>,
    /// <c>metadata</c>, <c>multicast or reserved</c>); null for a public one. IPv6 forms that carry an IPv4
    /// address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address.
    /// </summary>
    public static string? Category(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } v4)
        {
            address = v4;
        }
        if (address.Equals(MetadataV4) || address.Equals(MetadataV6))
        {
            return "metadata";
        }
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b switch
            {
                [0, ..] => "unspecified",
                [127, ..] => "loopback",
                [10, ..] => "private",
                [172, var x, ..] when (x & 0xF0) == 16 => "private",
                [192, 168, ..] => "private",
                [100, var x, ..] when (x & 0xC0) == 64 => "private",
                [169, 254, ..] => "link-local",
                [>= 224, ..] => "multicast or reserved",
                _ => null,
            };
        }
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified";
        }
        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "loopback";
        }
        return b switch
        {
            [var x, ..] when (x & 0xFE) == 0xFC => "private",
            [0xFE, var y, ..] when (y & 0xC0) == 0xC0 => "private", // fec0::/10, deprecated site-local
            [0xFE, var y, ..] when (y & 0xC0) == 0x80 => "link-local",
            [0xFF, ..] => "multicast or reserved",
            _ => null,
        };
    }

    private bool Allows(string category) => category switch
    {
        "loopback" => _options.AllowLoopback,
        "private" => _options.AllowPrivateNetworks,
        "link-local" => _options.AllowLinkLocal,
        _ => false, // unspecified (this host), metadata, multicast: never a git server.
    };

    private static IPAddress? Embedded(IPAddress v6)
    {
        if (v6.IsIPv4MappedToIPv6)
        {
            return v6.MapToIPv4();
        }
        var b = v6.GetAddressBytes();
        // ::a.b.c.d (deprecated IPv4-compatible; :: and ::1 are handled by the caller).
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !v6.Equals(IPAddress.IPv6Any) && !v6.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(b.AsSpan(12, 4));
        }
        // 64:ff9b::/96, the NAT64 well-known prefix: the gateway connects to the embedded address.
        if (b is [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            return new IPAddress(b.AsSpan(12, 4));
        }
        // 2002::/16, 6to4: the relay connects to the embedded address.
        return b is [0x20, 0x02, ..] ? new IPAddress(b.AsSpan(2, 4)) : null;
    }

    private static bool Matches(string pattern, string host)
    {
        var p = pattern.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        return p.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(p[1..], StringComparison.Ordinal) && host.Length > p.Length - 1
            : host == p;
    }

    private static BuildFailure Refused(string message) => User(UrlNotAllowed, message);

    private static BuildFailure User(string reason, string message) => new() { Fault = Faults.User, Reason = reason, Message = message };
}
