using ImageBuilder.Operator.Bridge;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Retries;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Hosting;

/// <summary>
/// Registers the RabbitMQ roles (RabbitMq/, Bridge/, Retries/, Notifications/), switched together by
/// <c>RabbitMq:Enabled</c>. Needs <c>IKubernetes</c> and <c>OperatorMetrics</c> (<c>AddOperatorMetrics</c>) from the
/// caller's registrations.
/// </summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Options (validated at start), and with <see cref="RabbitMqOptions.Enabled"/>: the connection,
    /// the notifier, the fail-queue retry scheduler, the bridge and the retry listener (each
    /// switchable). Without it: a logging notifier and the clock-based retry scheduler.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetryOptions>().Bind(configuration.GetSection(RetryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetryOptions>, RetryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Which roles run is decided once, at registration; the validated values are the same section.
        var rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        if (!rabbit.Enabled)
        {
            services.AddSingleton<IBuildNotifier, LoggingBuildNotifier>();
            services.AddSingleton<IRetryScheduler, TimerRetryScheduler>();
            return services;
        }
        services.AddSingleton<RabbitMqConnection>();
        services.AddSingleton<RabbitMqPublisher>();
        services.TryAddSingleton<RequestClock>();
        Reconciliation.ReconciliationServiceCollectionExtensions.AddOperatorConfigMaps(services);
        services.TryAddSingleton<Reconciliation.RetiredBuilds>();
        services.TryAddSingleton<Reconciliation.RetiredNamesCache>();
        services.AddSingleton<ImageBuildWriter>();
        services.AddSingleton<IBuildNotifier, RabbitMqBuildNotifier>();
        services.AddSingleton<IRetryScheduler, RabbitMqRetryScheduler>();
        if (rabbit.Bridge.Enabled)
        {
            services.AddHostedService<BuildQueueBridge>();
        }
        if (rabbit.RetryListener.Enabled)
        {
            services.AddHostedService<RetryListener>();
        }
        return services;
    }
}
