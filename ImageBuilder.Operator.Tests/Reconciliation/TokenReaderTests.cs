using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class TokenReaderTests
{
    private static V1Secret Secret(string name, string key, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team" },
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
    };

    public static TheoryData<string?, string, V1Secret?, string?, string?> Cases => new()
    {
        // secret name, key, the Secret in the namespace, token, what is missing
        { null, "", null, null, null },
        { "", "", null, null, null },
        { "tok", "token", Secret("tok", "token", "ghp_abc"), "ghp_abc", null },
        { "tok", "", Secret("tok", "token", " ghp_abc\n"), "ghp_abc", null },
        { "tok", "pat", Secret("tok", "pat", "ghp_abc"), "ghp_abc", null },
        { "tok", "token", null, null, "The token Secret tok (key 'token') does not exist in namespace team." },
        { "tok", "token", Secret("other", "token", "ghp_abc"), null, "The token Secret tok (key 'token') does not exist in namespace team." },
        { "tok", "pat", Secret("tok", "token", "ghp_abc"), null, "The token Secret tok in namespace team has no key 'pat' holding the token." },
        { "tok", "token", Secret("tok", "token", ""), null, "The token Secret tok in namespace team has no key 'token' holding the token." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Read_BySecretAndKey_TokenOrWhatIsMissing(string? name, string key, V1Secret? secret, string? token, string? missing)
    {
        var secrets = new InMemoryObjects<V1Secret>();
        if (secret is not null)
        {
            secrets.With(secret);
        }
        var build = Builds.New(s => s.Source.TokenSecretRef = name is null ? null : new SecretKeyRef { Name = name, Key = key });

        var read = await new TokenReader(secrets).ReadAsync(build, CancellationToken.None);

        Assert.Equal((token, missing), read);
        Assert.Equal(string.IsNullOrEmpty(name) ? [] : [("team", name)], secrets.Reads);
    }
}
