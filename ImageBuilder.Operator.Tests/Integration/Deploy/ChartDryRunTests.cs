using ImageBuilder.Operator.Tests.Deploy;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Deploy;

/// <summary>
/// The rendered chart sent to the development cluster's apiserver with a server-side dry run: every object
/// must be accepted by a real (v1.20) apiserver, RBAC objects included, without starting the operator.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ChartDryRunTests(PlatformFixture fixture)
{
    [Fact]
    public Task DevValues_ServerSideDryRun_AcceptedByTheDevelopmentCluster() =>
        AssertNamespaceScopedReleaseAcceptedAsync("chart-dev", _ => ["-f", Helm.DevValues],
            "deployment.apps/", "role.rbac.authorization.k8s.io/", "poddisruptionbudget.policy/");

    [Fact]
    public Task ProductionValues_ServerSideDryRun_AcceptedByTheDevelopmentCluster() =>
        AssertNamespaceScopedReleaseAcceptedAsync("chart-prod", ns => ["-f", Helm.PlatformImages, "--set", "registry.host=registry.example.com",
            "--set", "rabbitmq.existingSecret=broker", "--set", "watchNamespace=" + ns],
            "deployment.apps/", "service/");

    [Fact]
    public async Task BuildNetworkPolicy_ServerSideDryRun_AcceptedWithTheMetadataAddressExcluded()
    {
        var ns = await fixture.CreateNamespaceAsync("chart-netpol");
        // Documentation ranges (RFC 5737) only; the apiserver checks that every except lies inside its cidr.
        // What the apiserver would store (1.20 drops fields it does not know; none may be lost here).
        var stored = KubernetesJson.Deserialize<V1NetworkPolicy>(await DryRunAsync(ns, ["-o", "json"],
            "-f", Helm.PlatformImages, "--show-only", "templates/networkpolicy.yaml", "--set", "watchNamespace=" + ns,
            "--set", "buildNetworkPolicy.enabled=true", "--set", "buildNetworkPolicy.registry.cidrs={203.0.113.10/32}",
            "--set", "buildNetworkPolicy.gitHosts.cidrs={0.0.0.0/0}", "--set", "buildNetworkPolicy.excludedCidrs={198.51.100.0/24}"));

        Assert.Equal(ns, stored.Metadata.NamespaceProperty);
        Assert.Equal(["Ingress", "Egress"], stored.Spec.PolicyTypes);
        Assert.Equal(3, stored.Spec.Egress.Count);
        var any = stored.Spec.Egress.SelectMany(e => e.To).Single(p => p.IpBlock?.Cidr == "0.0.0.0/0").IpBlock;
        Assert.Equal(["169.254.169.254/32", "198.51.100.0/24"], any.Except);
        Assert.Equal("Exists", Assert.Single(stored.Spec.PodSelector.MatchExpressions).OperatorProperty);
    }

    /// <summary>
    /// The chart with <paramref name="values"/> (given the release namespace) passes a server-side dry run, names each of
    /// <paramref name="kinds"/>, and grants nothing cluster-wide: these values watch the release namespace only, as
    /// the development cluster is shared.
    /// </summary>
    private async Task AssertNamespaceScopedReleaseAcceptedAsync(string prefix, Func<string, string[]> values, params string[] kinds)
    {
        var ns = await fixture.CreateNamespaceAsync(prefix);

        var output = await DryRunAsync(ns, [], values(ns));

        foreach (var kind in kinds)
        {
            Assert.Contains(kind, output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("clusterrole", output, StringComparison.Ordinal);
    }

    /// <summary>The chart rendered with <paramref name="values"/>, then applied with a server-side dry run; kubectl's output.</summary>
    /// <remarks>A release name per namespace keeps the cluster-scoped names (ClusterRole) of parallel runs apart.</remarks>
    private async Task<string> DryRunAsync(string ns, string[] applyOptions, params string[] values)
    {
        var render = await Helm.RunAsync(["template", ns, Helm.ChartDir, "--namespace", ns, "--kube-version", "1.20.2", .. values]);
        Assert.True(render.Succeeded, render.ToString());
        return await PlatformFixture.RunAsync(
            fixture.Tool("kubectl"),
            ["--kubeconfig", fixture.KubeConfigPath, "apply", "--dry-run=server", "-n", ns, .. applyOptions, "-f", "-"],
            TimeSpan.FromMinutes(2),
            stdin: render.StdOut);
    }
}
