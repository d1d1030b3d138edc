using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

[Collection(PlatformCollection.Name)]
public sealed class RegistrySecretsTests(PlatformFixture fixture)
{
    [Fact]
    public async Task EnsureAsync_ManyReconcilesAtOnceInANewNamespace_AllSucceedWithOneSecret()
    {
        var ns = await fixture.CreateNamespaceAsync("regsecret");
        var client = KubernetesCoreObjects.Secrets(fixture.Kubernetes);
        var secrets = new RegistrySecrets(client, client, client, MsOptions.Create(new BuildOptions
        {
            Registry = fixture.Registry,
            RegistryUsername = fixture.RegistryUser,
            RegistryPassword = fixture.RegistryPassword,
        }));

        // The first wave of builds in a namespace: every reconcile finds no Secret and creates it.
        var names = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => secrets.EnsureAsync(ns, CancellationToken.None)));

        Assert.All(names, n => Assert.Equal("image-builder-registry", n));
        var secret = await fixture.Kubernetes.CoreV1.ReadNamespacedSecretAsync("image-builder-registry", ns);
        Assert.Equal("kubernetes.io/dockerconfigjson", secret.Type);
        Assert.Contains(fixture.Registry, System.Text.Encoding.UTF8.GetString(secret.Data[".dockerconfigjson"]), StringComparison.Ordinal);
    }
}
