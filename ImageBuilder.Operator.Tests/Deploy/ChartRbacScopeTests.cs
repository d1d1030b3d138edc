using k8s.Models;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// Where the chart grants the operator its rights: scoped, in the watched namespace only (the operator watches
/// one namespace, Controllers/ControllerOptions.cs); cluster-wide, a ClusterRole. Integration/Deploy/ChartRbacTests
/// proves the same on the development cluster's RBAC.
/// </summary>
public sealed class ChartRbacScopeTests
{
    [Fact]
    public async Task Template_WatchNamespaceElsewhere_GrantsSecretsOnlyThereAndLeasesOnlyInTheReleaseNamespace()
    {
        var manifests = await Helm.TemplateAsync("--set", "watchNamespace=builds");

        Assert.DoesNotContain("ClusterRole", manifests.Kinds);
        Assert.DoesNotContain("ClusterRoleBinding", manifests.Kinds);
        var roles = manifests.All<V1Role>("Role");
        var secretRoles = roles.Where(r => r.Rules.Any(rule => rule.Resources.Contains("secrets"))).ToList();
        Assert.Equal("builds", Assert.Single(secretRoles).Metadata.NamespaceProperty);
        var election = roles.Single(r => r.Metadata.NamespaceProperty == "image-builder");
        Assert.All(election.Rules, r => Assert.Equal(["leases"], r.Resources));
        // The operator's ServiceAccount lives in the release namespace and is bound where it works.
        var bindings = manifests.All<V1RoleBinding>("RoleBinding");
        var binding = bindings.Single(b => b.RoleRef.Name == secretRoles[0].Metadata.Name);
        Assert.Equal("builds", binding.Metadata.NamespaceProperty);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "image-builder", "image-builder"), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    [Fact]
    public async Task Template_ClusterWide_GrantsTheSameRulesClusterWide()
    {
        var scoped = await Helm.TemplateAsync("--set", "watchNamespace=builds");
        var clusterWide = await Helm.TemplateAsync();

        var role = scoped.All<V1Role>("Role").Single(r => r.Metadata.NamespaceProperty == "builds");
        var clusterRole = clusterWide.Single<V1ClusterRole>("ClusterRole");
        Assert.Equal(Flatten(role.Rules), Flatten(clusterRole.Rules));
        var subject = Assert.Single(clusterWide.Single<V1ClusterRoleBinding>("ClusterRoleBinding").Subjects);
        Assert.Equal("image-builder", subject.NamespaceProperty);
    }

    [Fact]
    public async Task Template_ScopedWithTargetNamespaceElsewhere_FailsSayingWhy()
    {
        var result = await Helm.RenderAsync("--set", "watchNamespace=builds", "--set", "rabbitmq.targetNamespace=other");

        Assert.False(result.Succeeded, "a bridge writing where the operator has no rights must not render");
        Assert.Contains("rabbitmq.targetNamespace \"other\" differs from the watched namespace \"builds\"", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builds", true)]
    [InlineData("other", false)]
    public async Task Template_ScopedWithTargetNamespaceTheSameOrNoBridge_Renders(string target, bool bridge)
    {
        var result = await Helm.RenderAsync("--set", "watchNamespace=builds",
            "--set", "rabbitmq.targetNamespace=" + target, "--set", "rabbitmq.bridge.enabled=" + (bridge ? "true" : "false"));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("kind: Role\n", result.StdOut, StringComparison.Ordinal);
    }

    private static List<string> Flatten(IEnumerable<V1PolicyRule> rules) =>
        rules.Select(r => $"{string.Join(',', r.ApiGroups)}|{string.Join(',', r.Resources)}|{string.Join(',', r.Verbs)}").ToList();
}
