using System.Net;
using System.Net.Sockets;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

/// <summary>
/// The URL policy alone: it parses and resolves, and never connects. Names resolve through a recording
/// resolver (the system's for <c>localhost</c>); private addresses appear only as literals or answers.
/// </summary>
public sealed class GitUrlPolicyTests
{
    private readonly List<string> _lookedUp = [];

    private GitUrlPolicy Policy(GitSourceOptions? options = null, Dictionary<string, string[]>? dns = null) =>
        new(options ?? new GitSourceOptions(), (host, ct) =>
        {
            _lookedUp.Add(host);
            if (dns is not null)
            {
                return dns.TryGetValue(host, out var answer)
                    ? Task.FromResult(answer.Select(IPAddress.Parse).ToArray())
                    : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
            }
            return Dns.GetHostAddressesAsync(host, ct);
        });

    [Theory]
    [InlineData("http://localhost:9/x.git", "loopback")]
    [InlineData("http://127.0.0.1:9/x.git", "loopback")]
    [InlineData("http://127.0.0.2:9/x.git", "loopback")]
    [InlineData("git://[::1]:9/x.git", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]/x.git", "loopback")]
    [InlineData("http://2130706433/x.git", "loopback")] // 127.0.0.1 as one number, as curl also reads it
    [InlineData("https://10.1.2.3/x.git", "private")]
    [InlineData("https://172.16.0.1/x.git", "private")]
    [InlineData("https://172.31.255.255/x.git", "private")]
    [InlineData("https://192.168.1.1/x.git", "private")]
    [InlineData("https://100.64.0.1/x.git", "private")]
    [InlineData("https://[fd12:3456::1]/x.git", "private")]
    [InlineData("https://[64:ff9b::a01:203]/x.git", "private")] // NAT64 of 10.1.2.3
    [InlineData("https://[2002:c0a8:101::1]/x.git", "private")] // 6to4 of 192.168.1.1
    [InlineData("https://169.254.1.1/x.git", "link-local")]
    [InlineData("https://[fe80::1]/x.git", "link-local")]
    [InlineData("https://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("https://[fd00:ec2::254]/x.git", "metadata")]
    [InlineData("https://0.0.0.0/x.git", "unspecified")]
    [InlineData("https://[::]/x.git", "unspecified")]
    [InlineData("git://224.0.0.1/x.git", "multicast or reserved")]
    public async Task Check_NonPublicAddressByDefault_IsRefusedAsUserFaultNamingIt(string url, string category)
    {
        var (addresses, failure) = await Policy().CheckAsync(new Uri(url), CancellationToken.None);

        Assert.Empty(addresses);
        Assert.Equal((Faults.User, GitUrlPolicy.UrlNotAllowed), (failure!.Fault, failure.Reason));
        Assert.Contains($"a {category} address", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NameResolvingToAnyPrivateAddress_IsRefused()
    {
        // A public answer beside a private one does not help: git may connect to either.
        var dns = new Dictionary<string, string[]> { ["git.example"] = ["93.184.215.14", "10.0.0.5"] };

        var (_, failure) = await Policy(dns: dns).CheckAsync(new Uri("https://git.example/a.git"), CancellationToken.None);

        Assert.Equal(GitUrlPolicy.UrlNotAllowed, failure!.Reason);
        Assert.Contains("10.0.0.5", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["git.example"], _lookedUp);
    }

    [Fact]
    public async Task Check_PublicName_ReturnsTheCheckedAddresses()
    {
        var dns = new Dictionary<string, string[]> { ["git.example"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] };

        var (addresses, failure) = await Policy(dns: dns).CheckAsync(new Uri("https://GIT.example./a.git"), CancellationToken.None);

        Assert.Null(failure);
        Assert.Equal(2, addresses.Count);
    }

    [Theory]
    [InlineData("http://localhost:9/x.git")]
    [InlineData("http://127.0.0.2:9/x.git")]
    [InlineData("git://[::1]:9/x.git")]
    public async Task Check_LoopbackAllowed_Passes(string url)
    {
        var (addresses, failure) = await Policy(new GitSourceOptions { AllowLoopback = true }).CheckAsync(new Uri(url), CancellationToken.None);

        Assert.Null(failure);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a)));
    }

    [Fact]
    public async Task Check_EachRelaxationAllowsOnlyItsOwnRanges_MetadataNever()
    {
        var all = new GitSourceOptions { AllowLoopback = true, AllowPrivateNetworks = true, AllowLinkLocal = true };
        var loopbackOnly = new GitSourceOptions { AllowLoopback = true };

        Assert.Null((await Policy(all).CheckAsync(new Uri("https://10.1.2.3/x.git"), CancellationToken.None)).Failure);
        Assert.Null((await Policy(all).CheckAsync(new Uri("https://169.254.1.1/x.git"), CancellationToken.None)).Failure);
        Assert.NotNull((await Policy(all).CheckAsync(new Uri("https://169.254.169.254/x.git"), CancellationToken.None)).Failure);
        Assert.NotNull((await Policy(all).CheckAsync(new Uri("https://[fd00:ec2::254]/x.git"), CancellationToken.None)).Failure);
        Assert.NotNull((await Policy(loopbackOnly).CheckAsync(new Uri("https://192.168.1.1/x.git"), CancellationToken.None)).Failure);
    }

    [Theory]
    [InlineData("https://git.example/a.git", true)]
    [InlineData("https://code.corp.example/a.git", true)]
    [InlineData("https://corp.example/a.git", false)] // *.corp.example is subdomains only
    [InlineData("https://evilcorp.example/a.git", false)]
    [InlineData("https://git.example.evil/a.git", false)]
    public async Task Check_AllowList_MatchesExactHostsAndSubdomainPatterns(string url, bool allowed)
    {
        var options = new GitSourceOptions { AllowedHosts = ["git.example", "*.corp.example"] };
        var dns = new Dictionary<string, string[]>
        {
            ["git.example"] = ["93.184.215.14"],
            ["code.corp.example"] = ["93.184.215.15"],
            ["corp.example"] = ["93.184.215.16"],
            ["evilcorp.example"] = ["93.184.215.17"],
            ["git.example.evil"] = ["93.184.215.18"],
        };

        var (_, failure) = await Policy(options, dns).CheckAsync(new Uri(url), CancellationToken.None);

        Assert.Equal(allowed, failure is null);
        if (!allowed)
        {
            Assert.Contains("not in the operator's list of allowed git hosts", failure!.Message, StringComparison.Ordinal);
            Assert.Empty(_lookedUp); // refused before any DNS query
        }
    }

    [Fact]
    public async Task Check_FileUrl_OffByDefaultOnWhenConfigured()
    {
        var url = new Uri("file:///srv/git/app.git");

        var (_, refused) = await Policy().CheckAsync(url, CancellationToken.None);
        var (_, allowed) = await Policy(new GitSourceOptions { AllowFileUrls = true }).CheckAsync(url, CancellationToken.None);

        Assert.Equal(GitUrlPolicy.UrlNotAllowed, refused!.Reason);
        Assert.Contains("file://", refused.Message, StringComparison.Ordinal);
        Assert.Null(allowed);
    }

    [Fact]
    public async Task Check_UnknownHost_IsUserFaultWithoutConnecting()
    {
        var (_, failure) = await Policy(dns: []).CheckAsync(new Uri("https://nowhere.example/a.git"), CancellationToken.None);

        Assert.Equal((Faults.User, SourceFailureReasons.RepositoryNotFound), (failure!.Fault, failure.Reason));
    }

    [Theory]
    [InlineData("93.184.215.14", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("100.128.0.1", null)]
    [InlineData("2606:4700::1", null)]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("fec0::1", "private")]
    [InlineData("ff02::1", "multicast or reserved")]
    [InlineData("255.255.255.255", "multicast or reserved")]
    public void Category_ClassifiesAddresses(string address, string? category) =>
        Assert.Equal(category, GitUrlPolicy.Category(IPAddress.Parse(address)));
}
