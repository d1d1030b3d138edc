using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.Builds;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// The chart's optional NetworkPolicy for build pods (templates/networkpolicy.yaml). No cluster here enforces
/// NetworkPolicy (1.20 on dockershim with host network), so these tests prove what renders: whom it selects,
/// what it lets out, and that the metadata address is never among it.
/// </summary>
public sealed class BuildNetworkPolicyChartTests
{
    // Documentation ranges (RFC 5737): never a real destination.
    private const string RegistryCidr = "203.0.113.10/32";
    private const string ExcludedCidr = "198.51.100.0/24";
    private const string AnyAddress = "0.0.0.0/0";
    private static readonly IPAddress Metadata = IPAddress.Parse("169.254.169.254");

    /// <summary>The policy on, with a registry, every address for git hosts, and one more excluded range; null leaves a destination at its empty default.</summary>
    private static string[] Enabled(string? registry = RegistryCidr, string? gitHosts = AnyAddress) =>
    [
        "--set", "buildNetworkPolicy.enabled=true",
        "--set", $"buildNetworkPolicy.excludedCidrs={{{ExcludedCidr}}}",
        .. registry is null ? [] : new[] { "--set", $"buildNetworkPolicy.registry.cidrs={{{registry}}}" },
        .. gitHosts is null ? [] : new[] { "--set", $"buildNetworkPolicy.gitHosts.cidrs={{{gitHosts}}}" },
    ];

    [Fact]
    public async Task Template_DefaultValues_RendersNoNetworkPolicy()
    {
        var manifests = await Helm.TemplateAsync();

        Assert.DoesNotContain("NetworkPolicy", manifests.Kinds);
    }

    [Fact]
    public async Task Template_Enabled_SelectsTheBuildPodsAsTheOperatorLabelsThemAndNotTheOperator()
    {
        var manifests = await Helm.TemplateAsync(Enabled());

        var selector = manifests.Single<V1NetworkPolicy>("NetworkPolicy").Spec.PodSelector;
        // The pods of a Job as the operator builds it, for a short and a too-long-for-a-label ImageBuild name.
        var request = BuildSamples.Request();
        var longName = request with { Build = BuildSamples.Build() };
        longName.Build.Metadata.Name = new string('b', 200);
        foreach (var r in new[] { request, longName })
        {
            var podLabels = BuildJobGoldenTests.Strategy().CreateJob(r).Spec.Template.Metadata.Labels;
            Assert.True(Selects(selector, podLabels), $"the policy does not select build pod labels {string.Join(", ", podLabels)}");
        }
        var operatorPod = manifests.Single<V1Deployment>("Deployment").Spec.Template.Metadata.Labels;
        Assert.False(Selects(selector, operatorPod), "the policy must not fence the operator itself");
        // Both keys are the operator's own constants, not a copy that could drift.
        Assert.Equal(Annotations.ManagedByValue, selector.MatchLabels[Annotations.ManagedByLabel]);
        Assert.Contains(selector.MatchExpressions, e => e.Key == Annotations.BuildLabel && e.OperatorProperty == "Exists");
    }

    [Fact]
    public async Task Template_Enabled_DeniesIngressAndAllowsOnlyDnsRegistryAndGitHosts()
    {
        var manifests = await Helm.TemplateAsync(Enabled());

        var spec = manifests.Single<V1NetworkPolicy>("NetworkPolicy").Spec;
        Assert.Equal(["Ingress", "Egress"], spec.PolicyTypes);
        Assert.Empty(spec.Ingress ?? []);
        Assert.Equal(3, spec.Egress.Count);
        // A rule without peers or without ports would allow every destination or every port.
        Assert.All(spec.Egress, rule => Assert.NotEmpty(rule.To));
        Assert.All(spec.Egress, rule => Assert.NotEmpty(rule.Ports));
        var dns = spec.Egress[0];
        Assert.Equal("kube-dns", Assert.Single(dns.To).PodSelector.MatchLabels["k8s-app"]);
        Assert.All(dns.Ports, p => Assert.Equal("53", p.Port.Value));
        Assert.Equal(RegistryCidr, Assert.Single(spec.Egress[1].To).IpBlock.Cidr);
        Assert.Equal(AnyAddress, Assert.Single(spec.Egress[2].To).IpBlock.Cidr);
        Assert.All(spec.Egress.Skip(1), rule => Assert.Equal("443", Assert.Single(rule.Ports).Port.Value));
    }

    [Fact]
    public async Task Template_Enabled_ExcludesTheMetadataAddressFromEveryBlockThatHoldsIt()
    {
        var manifests = await Helm.TemplateAsync([.. Enabled(), "--set", "buildNetworkPolicy.dns.cidrs={169.254.0.0/16}"]);

        var blocks = manifests.Single<V1NetworkPolicy>("NetworkPolicy").Spec.Egress
            .SelectMany(rule => rule.To).Select(peer => peer.IpBlock).OfType<V1IPBlock>().ToList();
        Assert.Equal(3, blocks.Count);
        foreach (var block in blocks)
        {
            var allowed = IPNetwork.Parse(block.Cidr);
            var except = (block.Except ?? []).Select(IPNetwork.Parse).ToList();
            // What the apiserver demands of except, and what the chart promises about the metadata address.
            Assert.All(except, e => Assert.True(allowed.Contains(e.BaseAddress) && e.PrefixLength > allowed.PrefixLength, $"{e} is not strictly inside {allowed}"));
            if (allowed.Contains(Metadata))
            {
                Assert.Contains(except, e => e.Contains(Metadata));
            }
        }
        var any = blocks.Single(b => b.Cidr == AnyAddress);
        Assert.Equal(["169.254.169.254/32", ExcludedCidr], any.Except);
        Assert.Null(blocks.Single(b => b.Cidr == RegistryCidr).Except);
    }

    [Theory]
    [InlineData("169.254.169.254/32", "169.254.169.254/32")]
    [InlineData("198.51.100.128/25", ExcludedCidr)]
    public async Task Template_AllowedCidrInsideAnExcludedOne_FailsSayingWhich(string gitHosts, string excludedBy)
    {
        var result = await Helm.RenderAsync(Enabled(gitHosts: gitHosts));

        Assert.False(result.Succeeded, "an allowed CIDR that can never be reached must not render");
        Assert.Contains($"buildNetworkPolicy.gitHosts: {gitHosts} lies inside the excluded {excludedBy}", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry", "buildNetworkPolicy.registry.cidrs")]
    [InlineData("gitHosts", "buildNetworkPolicy.gitHosts.cidrs")]
    public async Task Template_EnabledWithoutADestination_FailsInsteadOfAllowingEverything(string destination, string message)
    {
        var result = await Helm.RenderAsync(destination == "registry" ? Enabled(registry: null) : Enabled(gitHosts: null));

        Assert.False(result.Succeeded, $"no {destination} destination must not render");
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("buildNetworkPolicy.excludedCidrs={203.0.113.0}")]
    [InlineData("buildNetworkPolicy.registry.cidrs={2001:db8::/32}")]
    [InlineData("buildNetworkPolicy.gitHosts.ports=null")]
    public async Task Template_MalformedPolicyValue_FailsSchemaValidation(string set)
    {
        var result = await Helm.RenderAsync([.. Enabled(), "--set", set]);

        Assert.False(result.Succeeded, $"--set {set} must not render");
        Assert.Contains("/buildNetworkPolicy/", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_EmptySelectors_AreLeftOutNeverMatchingEverything()
    {
        var manifests = await Helm.TemplateAsync([.. Enabled(), "--set", "buildNetworkPolicy.dns.namespaceSelector=null", "--set", "buildNetworkPolicy.dns.podSelector=null", "--set", "buildNetworkPolicy.registry.namespaceSelector.matchLabels.team=registry"]);

        var egress = manifests.Single<V1NetworkPolicy>("NetworkPolicy").Spec.Egress;
        // No DNS peers: no DNS rule at all (a rule without peers would allow everything).
        Assert.Equal(2, egress.Count);
        var selectorPeer = Assert.Single(egress[0].To, p => p.IpBlock is null);
        Assert.Equal("registry", selectorPeer.NamespaceSelector.MatchLabels["team"]);
        Assert.Null(selectorPeer.PodSelector);
    }

    [Theory]
    [InlineData(new string[0], "image-builder")]
    [InlineData(new[] { "--set", "watchNamespace=builds" }, "builds")]
    [InlineData(new[] { "--set", "rabbitmq.targetNamespace=queued" }, "queued")]
    [InlineData(new[] { "--set", "buildNetworkPolicy.namespaces={team-a,team-b}" }, "team-a,team-b")]
    public async Task Template_Enabled_GoesWhereTheBuildPodsRun(string[] values, string namespaces)
    {
        var manifests = await Helm.TemplateAsync([.. Enabled(), .. values]);

        var policies = manifests.All<V1NetworkPolicy>("NetworkPolicy");
        Assert.Equal(namespaces.Split(','), policies.Select(p => p.Metadata.NamespaceProperty));
        Assert.All(policies, p => Assert.Equal("image-builder-build-pods", p.Metadata.Name));
    }

    [Fact]
    public async Task Template_Enabled_ExtraEgressIsAppendedAsGiven()
    {
        var values = Path.Combine(Path.GetTempPath(), $"ib-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(values, "buildNetworkPolicy:\n  extraEgress:\n    - to: [{ipBlock: {cidr: 192.0.2.80/32}}]\n      ports: [{port: 3128, protocol: TCP}]\n");
        try
        {
            var manifests = await Helm.TemplateAsync([.. Enabled(), "-f", values]);

            var last = manifests.Single<V1NetworkPolicy>("NetworkPolicy").Spec.Egress.Last();
            Assert.Equal("192.0.2.80/32", Assert.Single(last.To).IpBlock.Cidr);
            Assert.Equal("3128", Assert.Single(last.Ports).Port.Value);
        }
        finally
        {
            File.Delete(values);
        }
    }

    // Label selector semantics (matchLabels and the four operators), as the apiserver applies them.
    private static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            _ => throw new InvalidOperationException("unknown selector operator " + e.OperatorProperty),
        });
}
