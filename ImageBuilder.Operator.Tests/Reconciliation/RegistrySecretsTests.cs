using System.Net;
using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s.Autorest;
using k8s.Models;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RegistrySecretsTests
{
    private const string Name = "image-builder-registry";
    private readonly InMemoryObjects<V1Secret> _secrets = new();

    private RegistrySecrets Secrets(string password = "pw") => new(_secrets, _secrets, _secrets, MsOptions.Create(new BuildOptions
    {
        Registry = "127.0.0.1:5000",
        RegistryUsername = "builder",
        RegistryPassword = password,
    }));

    private void AddSecret(string password, string resourceVersion = "4") => _secrets.With(new V1Secret
    {
        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = "team", ResourceVersion = resourceVersion },
        Type = "kubernetes.io/dockerconfigjson",
        Data = RegistrySecret.Create(Name, "team", "127.0.0.1:5000", "builder", password).Data,
    });

    private static string Config(V1Secret secret) => Encoding.UTF8.GetString(secret.Data[".dockerconfigjson"]);

    [Fact]
    public async Task Ensure_NoSecret_CreatesTheDockerConfigLabelledAsOurs()
    {
        var name = await Secrets().EnsureAsync("team", CancellationToken.None);

        Assert.Equal(Name, name);
        var created = Assert.Single(_secrets.Created);
        Assert.Equal(("kubernetes.io/dockerconfigjson", "team"), (created.Type, created.Metadata.NamespaceProperty));
        Assert.Equal(Annotations.ManagedByValue, created.Metadata.Labels[Annotations.ManagedByLabel]);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("builder:pw"));
        Assert.Equal("""{"auths":{"127.0.0.1:5000":{"auth":"AUTH"}}}""".Replace("AUTH", auth, StringComparison.Ordinal), Config(created));
    }

    [Fact]
    public async Task Ensure_SameCredentials_WritesNothing()
    {
        AddSecret("pw");

        await Secrets().EnsureAsync("team", CancellationToken.None);

        Assert.Empty(_secrets.Journal);
    }

    [Fact]
    public async Task Ensure_CredentialsRotated_ReplacesWithTheReadResourceVersion()
    {
        AddSecret("old-pw", resourceVersion: "4");

        await Secrets("new-pw").EnsureAsync("team", CancellationToken.None);

        var replaced = Assert.Single(_secrets.Replaced);
        Assert.Equal("4", replaced.Metadata.ResourceVersion);
        Assert.Equal(Config(replaced), Config(_secrets.Get(new ObjectKey("team", Name))!));
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("builder:new-pw")), Config(replaced), StringComparison.Ordinal);
    }

    public static TheoryData<string?, string, string[]> Races => new()
    {
        // password stored before (null: none), the call another client's change comes just before, writes that land
        { null, nameof(InMemoryObjects<V1Secret>.CreateAsync), [] },        // another reconcile created it first: 409
        { "old-pw", nameof(InMemoryObjects<V1Secret>.ReplaceAsync), [] },   // another reconcile refreshed it first: 409
        { "deleted", nameof(InMemoryObjects<V1Secret>.ReplaceAsync), ["CreateAsync team/" + Name] }, // deleted meanwhile: 404
    };

    [Theory]
    [MemberData(nameof(Races))]
    public async Task Ensure_LostARace_StillReturnsTheSecretsName(string? stored, string raced, string[] writes)
    {
        if (stored is not null)
        {
            AddSecret(stored == "deleted" ? "old-pw" : stored);
        }
        _secrets.BeforeNext(raced, () =>
        {
            if (stored == "deleted")
            {
                _secrets.Without("team", Name);
            }
            else
            {
                AddSecret("pw", resourceVersion: "5");
            }
        });

        var name = await Secrets().EnsureAsync("team", CancellationToken.None);

        Assert.Equal(Name, name);
        Assert.Equal(writes, _secrets.Journal);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("builder:pw")), Config(_secrets.Get(new ObjectKey("team", Name))!), StringComparison.Ordinal);
    }

    public static TheoryData<string?, string, HttpStatusCode> Errors => new()
    {
        { null, nameof(InMemoryObjects<V1Secret>.GetAsync), HttpStatusCode.Forbidden },
        { null, nameof(InMemoryObjects<V1Secret>.CreateAsync), HttpStatusCode.Forbidden },
        { "old-pw", nameof(InMemoryObjects<V1Secret>.ReplaceAsync), HttpStatusCode.InternalServerError },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Ensure_OtherApiError_Escapes(string? stored, string failing, HttpStatusCode answer)
    {
        if (stored is not null)
        {
            AddSecret(stored);
        }
        _secrets.FailNext(failing, ApiErrors.Status(answer));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Secrets().EnsureAsync("team", CancellationToken.None));

        Assert.Equal(answer, error.Response.StatusCode);
    }
}
