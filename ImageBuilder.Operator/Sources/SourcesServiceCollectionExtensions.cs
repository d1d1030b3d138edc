using ImageBuilder.Operator.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Sources;

public static class SourcesServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ISourceResolver"/> with the github and git connectors and validated <see cref="GitHubOptions"/> and <see cref="SourcesOptions"/>.</summary>
    public static IServiceCollection AddSources(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GitHubOptions>()
            .Bind(configuration.GetSection(GitHubOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>());
        services.AddOptions<SourcesOptions>()
            .Bind(configuration.GetSection(SourcesOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>());
        services.TryAddSingleton<GitHubClientFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceConnector, GitHubConnector>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceConnector, GitConnector>());
        services.TryAddSingleton<ISourceResolver, SourceResolver>();
        return services;
    }
}
