using System.Text;
using System.Text.Json;
using k8s.Models;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// The <c>kubernetes.io/dockerconfigjson</c> Secret a build Job pushes with (<c>Build:RegistrySecretName</c>),
/// for the namespaces where builds run.
/// </summary>
public static class RegistrySecret
{
    public static V1Secret Create(string name, string namespaceName, string registry, string username, string password)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
        var config = JsonSerializer.SerializeToUtf8Bytes(new { auths = new Dictionary<string, object> { [registry] = new { auth } } });
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = namespaceName,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [Api.Annotations.ManagedByLabel] = Api.Annotations.ManagedByValue },
            },
            Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [".dockerconfigjson"] = config },
        };
    }
}
