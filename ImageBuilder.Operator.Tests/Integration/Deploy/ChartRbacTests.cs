using ImageBuilder.Operator.Tests.Deploy;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Deploy;

/// <summary>
/// The chart's RBAC applied to the development cluster and asked, as the operator's ServiceAccount
/// (<c>kubectl auth can-i --as</c>, then real reads with <c>--as</c>): scoped to a namespace, the operator
/// reaches Secrets there and nowhere else; cluster-wide, everywhere. Only the ServiceAccount and RBAC
/// templates are applied: rights are what is proven, no operator pod needs to run.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ChartRbacTests(PlatformFixture fixture)
{
    private const string ProbeSecret = "rbac-probe";
    // The apiserver's RBAC authorizer learns of new bindings through its informers, a moment after the write.
    private static readonly TimeSpan GrantVisibleWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ScopedInstall_OperatorReachesSecretsInTheWatchedNamespaceOnly()
    {
        var release = await fixture.CreateNamespaceAsync("rbac-op");
        var watched = await fixture.CreateNamespaceAsync("rbac-builds");
        var elsewhere = await fixture.CreateNamespaceAsync("rbac-other");
        foreach (var ns in new[] { release, watched, elsewhere })
        {
            await CreateProbeSecretAsync(ns);
        }

        var render = await RenderRbacAsync(release, "--set", "watchNamespace=" + watched);
        var user = OperatorUser(render);
        Assert.DoesNotContain("ClusterRole", render.Manifests.Kinds);
        Assert.DoesNotContain("ClusterRoleBinding", render.Manifests.Kinds);
        await ApplyAsync(render.Yaml);
        await WaitUntilAllowedAsync(user, "get", "secrets/" + ProbeSecret, watched);

        Assert.Equal("no", await CanIAsync(user, "get", "secrets/" + ProbeSecret, elsewhere));
        Assert.Equal("no", await CanIAsync(user, "get", "secrets/" + ProbeSecret, release));
        Assert.Equal("no", await CanIAsync(user, "delete", "secrets/" + ProbeSecret, elsewhere));
        Assert.Equal("no", await CanIAsync(user, "create", "secrets", elsewhere));
        // By name only, even where it works: no enumerating Secrets.
        Assert.Equal("no", await CanIAsync(user, "list", "secrets", watched));
        Assert.Equal("yes", await CanIAsync(user, "create", "imagebuilds.imagebuilder.ipaas.dev", watched));
        Assert.Equal("no", await CanIAsync(user, "create", "imagebuilds.imagebuilder.ipaas.dev", elsewhere));
        Assert.Equal("yes", await CanIAsync(user, "update", "leases.coordination.k8s.io/image-builder-leader", release));
        // And for real: the read works in the watched namespace and is refused elsewhere.
        var read = await KubectlAsAsync(user, "-n", watched, "get", "secret", ProbeSecret, "-o", "name");
        Assert.True(read.Succeeded, read.ToString());
        Assert.Equal("secret/" + ProbeSecret, read.StdOut.Trim());
        var refused = await KubectlAsAsync(user, "-n", elsewhere, "get", "secret", ProbeSecret, "-o", "name");
        Assert.False(refused.Succeeded, "the scoped operator read a Secret outside its namespace");
        Assert.Contains("forbidden", refused.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ClusterWideInstall_OperatorReachesSecretsInEveryNamespace()
    {
        var release = await fixture.CreateNamespaceAsync("rbac-op");
        var elsewhere = await fixture.CreateNamespaceAsync("rbac-other");
        await CreateProbeSecretAsync(elsewhere);

        var render = await RenderRbacAsync(release);
        var user = OperatorUser(render);
        Assert.Contains("ClusterRoleBinding", render.Manifests.Kinds);
        try
        {
            await ApplyAsync(render.Yaml);
            await WaitUntilAllowedAsync(user, "get", "secrets/" + ProbeSecret, elsewhere);

            Assert.Equal("yes", await CanIAsync(user, "delete", "secrets/" + ProbeSecret, elsewhere));
            Assert.Equal("no", await CanIAsync(user, "list", "secrets", elsewhere));
            var read = await KubectlAsAsync(user, "-n", elsewhere, "get", "secret", ProbeSecret, "-o", "name");
            Assert.True(read.Succeeded, read.ToString());
        }
        finally
        {
            // Namespaces go at the end of the run; the cluster-scoped ClusterRole and its binding do not.
            await PlatformFixture.RunAsync(fixture.Tool("kubectl"), ["--kubeconfig", fixture.KubeConfigPath, "delete", "--ignore-not-found", "-f", "-"], TimeSpan.FromMinutes(1), stdin: render.Yaml);
        }
    }

    private async Task CreateProbeSecretAsync(string ns) =>
        await fixture.Kubernetes.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = ProbeSecret },
            StringData = new Dictionary<string, string> { ["value"] = "not-a-credential" },
        }, ns);

    /// <summary>
    /// The chart's ServiceAccount and RBAC as a release in <paramref name="ns"/>, under a unique release name
    /// (ClusterRoles are shared by the whole cluster).
    /// </summary>
    private static async Task<(string Yaml, RenderedManifests Manifests)> RenderRbacAsync(string ns, params string[] values)
    {
        var render = await Helm.RunAsync(["template", PlatformFixture.UniqueName("rbac"), Helm.ChartDir, "--namespace", ns, "--kube-version", "1.20.2", "-f", Helm.PlatformImages,
            "--show-only", "templates/serviceaccount.yaml", "--show-only", "templates/rbac.yaml", .. values]);
        Assert.True(render.Succeeded, render.ToString());
        return (render.StdOut, RenderedManifests.Parse(render.StdOut));
    }

    private async Task ApplyAsync(string yaml) =>
        await PlatformFixture.RunAsync(fixture.Tool("kubectl"), ["--kubeconfig", fixture.KubeConfigPath, "apply", "-f", "-"], TimeSpan.FromMinutes(1), stdin: yaml);

    /// <summary>The user name Kubernetes gives the rendered ServiceAccount, for <c>--as</c>.</summary>
    private static string OperatorUser((string Yaml, RenderedManifests Manifests) render)
    {
        var account = render.Manifests.Single<V1ServiceAccount>("ServiceAccount").Metadata;
        return $"system:serviceaccount:{account.NamespaceProperty}:{account.Name}";
    }

    private async Task WaitUntilAllowedAsync(string user, string verb, string resource, string ns) =>
        await Eventually.WaitAsync(async () => await CanIAsync(user, verb, resource, ns) == "yes", GrantVisibleWithin,
            $"{user} to be allowed to {verb} {resource} in {ns}");

    private async Task<string> CanIAsync(string user, string verb, string resource, string ns)
    {
        // can-i exits 1 for "no": read the answer, and fail on anything that is neither.
        var result = await KubectlAsAsync(user, "auth", "can-i", verb, resource, "-n", ns);
        var answer = result.StdOut.Trim();
        Assert.True(answer is "yes" or "no", $"kubectl auth can-i gave no answer: {result}");
        return answer;
    }

    private Task<HelmResult> KubectlAsAsync(string user, params string[] args) =>
        Helm.RunProcessAsync(fixture.Tool("kubectl"), ["--kubeconfig", fixture.KubeConfigPath, "--as", user, .. args], TimeSpan.FromMinutes(1));
}
