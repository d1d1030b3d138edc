using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Retries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Hosting;

public sealed class MessagingRegistrationTests
{
    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOperatorMetrics();
        services.AddMessaging(configuration);
        return services;
    }

    [Fact]
    public void AddMessaging_Disabled_UsesClockSchedulerAndNoConsumers()
    {
        var services = Services(new() { ["RabbitMq:Enabled"] = "false" });
        using var provider = services.BuildServiceProvider();

        Assert.IsType<TimerRetryScheduler>(provider.GetRequiredService<IRetryScheduler>());
        Assert.IsType<LoggingBuildNotifier>(provider.GetRequiredService<IBuildNotifier>());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void AddMessaging_BridgeSwitchedOff_RegistersOnlyTheRetryListener()
    {
        var services = Services(new() { ["RabbitMq:Bridge:Enabled"] = "false" });

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();

        Assert.Equal([typeof(RetryListener)], hosted);
        Assert.Contains(services, d => d.ServiceType == typeof(IRetryScheduler) && d.ImplementationType == typeof(RabbitMqRetryScheduler));
        Assert.Contains(services, d => d.ServiceType == typeof(IBuildNotifier) && d.ImplementationType == typeof(RabbitMqBuildNotifier));
    }

    [Fact]
    public void AddMessaging_Configured_BindsSectionsAndTiers()
    {
        var services = Services(new()
        {
            ["RabbitMq:BuildQueue"] = "q.build",
            ["RabbitMq:QueueType"] = "Classic",
            ["Retry:DelayTiers:0"] = "00:00:01",
            ["Retry:DelayTiers:1"] = "00:00:03",
        });
        using var provider = services.BuildServiceProvider();

        Assert.Equal("q.build", provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.BuildQueue);
        Assert.Equal(QueueType.Classic, provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.QueueType);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)], provider.GetRequiredService<IOptions<RetryOptions>>().Value.EffectiveDelayTiers());
    }

    [Fact]
    public void AddMessaging_InvalidSettings_FailsWithEveryError()
    {
        var services = Services(new() { ["RabbitMq:Prefetch"] = "0", ["RabbitMq:Uri"] = "http://x/", ["Retry:BaseDelay"] = "00:00:00" });
        using var provider = services.BuildServiceProvider();

        var rabbit = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value);
        var retry = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RetryOptions>>().Value);

        Assert.Contains(rabbit.Failures, f => f.Contains("RabbitMq:Uri", StringComparison.Ordinal));
        Assert.Contains(rabbit.Failures, f => f.Contains("Prefetch", StringComparison.Ordinal));
        Assert.Contains(retry.Failures, f => f.Contains("Retry:BaseDelay", StringComparison.Ordinal));
    }
}
