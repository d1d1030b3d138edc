using k8s;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Builds the API client configuration from the environment the operator runs in.</summary>
public static class KubernetesClientFactory
{
    /// <summary>
    /// In a pod (KUBERNETES_SERVICE_HOST set): the service account. Otherwise the file named by KUBECONFIG,
    /// else the client's default lookup (~/.kube/config).
    /// </summary>
    public static KubernetesClientConfiguration BuildConfig(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrEmpty(configuration["KUBERNETES_SERVICE_HOST"]))
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        var kubeconfig = configuration["KUBECONFIG"];
        // A KUBECONFIG list (a:b) is merged by the default lookup; a single path is read directly.
        if (!string.IsNullOrEmpty(kubeconfig) && !kubeconfig.Contains(Path.PathSeparator, StringComparison.Ordinal))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        }
        return KubernetesClientConfiguration.BuildDefaultConfig();
    }
}
