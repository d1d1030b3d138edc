using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>Registers the build strategy, the Job observer, image naming and the registry client.</summary>
public static class BuildServiceCollectionExtensions
{
    public static IServiceCollection AddBuilds(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BuildOptions>()
            .Bind(configuration.GetSection(BuildOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BuildOptions>, BuildOptionsValidator>();
        services.AddSingleton<IBuildStrategy, BuildKitStrategy>();
        services.AddSingleton<IBuildStrategyProvider, BuildStrategyProvider>();
        services.AddSingleton<BuildJobObserver>();
        services.AddSingleton<ImageNamer>();
        services.AddHttpClient<IRegistryClient, RegistryClient>(client => client.Timeout = TimeSpan.FromSeconds(30));
        return services;
    }
}
