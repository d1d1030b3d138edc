using ImageBuilder.Operator.Api;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>ImageBuilds of a test repository, applied as kubectl would, and waiting for their end.</summary>
public static class EvidenceBuilds
{
    /// <summary>Creates the token Secret (when a token is given) and an ImageBuild of the default branch with the docker builder.</summary>
    public static async Task<ImageBuild> CreateAsync(IKubernetes kubernetes, string @namespace, string name, string repo, string applicationId, string? token, int maxRetries = 2)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        SecretKeyRef? tokenRef = null;
        if (token is not null)
        {
            var secret = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = name + "-token", NamespaceProperty = @namespace },
                StringData = new Dictionary<string, string> { ["token"] = token },
            };
            await kubernetes.CoreV1.CreateNamespacedSecretAsync(secret, @namespace);
            tokenRef = new SecretKeyRef { Name = secret.Metadata.Name, Key = "token" };
        }
        var build = new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace },
            Spec = new ImageBuildSpec
            {
                UserId = "18008",
                ApplicationId = applicationId,
                Source = new SourceSpec { Connector = Connectors.GitHub, Repo = repo, Type = RefTypes.Repo, TokenSecretRef = tokenRef },
                BuildPlan = new BuildPlanSpec { Builder = "docker" },
                MaxRetries = maxRetries,
                TimeoutSeconds = 300,
            },
        };
        return await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural);
    }

    public static Task<ImageBuild> GetAsync(IKubernetes kubernetes, string @namespace, string name)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, name);
    }

    /// <summary>Polls until the build is Succeeded or Failed; fails with its last status after <paramref name="timeout"/>.</summary>
    public static Task<ImageBuild> WaitForTerminalAsync(IKubernetes kubernetes, string @namespace, string name, TimeSpan timeout) =>
        Eventually.ValueAsync(() => GetAsync(kubernetes, @namespace, name), b => b.Status?.Phase is Phases.Succeeded or Phases.Failed,
            timeout, $"{@namespace}/{name} to finish", b => KubernetesJson.Serialize(b.Status));
}
