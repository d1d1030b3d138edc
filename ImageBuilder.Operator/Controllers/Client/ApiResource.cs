using System.Reflection;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Where the API's generic <c>/apis/{group}/{version}/…/{plural}</c> paths serve a type: group, version and plural from
/// its <see cref="KubernetesEntityAttribute"/>. The core group (/api/v1) has no such path.
/// </summary>
internal sealed record ApiResource(string Group, string Version, string Plural)
{
    public static ApiResource Of<T>()
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity] attribute");
        if (string.IsNullOrEmpty(entity.Group))
        {
            throw new ArgumentException($"{typeof(T).Name} is in the core API group, which this client does not serve");
        }
        return new ApiResource(entity.Group, entity.ApiVersion, entity.PluralName);
    }
}
