using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.RabbitMq;

public sealed class OptionsTests
{
    [Fact]
    public void RabbitMqValidator_Defaults_AreValid()
    {
        Assert.True(new RabbitMqOptionsValidator().Validate(null, new RabbitMqOptions()).Succeeded);
        Assert.True(new RetryOptionsValidator().Validate(null, new RetryOptions()).Succeeded);
    }

    [Fact]
    public void RabbitMqOptions_Defaults_MatchTheContract()
    {
        var options = new RabbitMqOptions();

        Assert.Equal("image-builder.build", options.BuildQueue);
        Assert.Equal("image-builder.fail", options.FailQueue);
        Assert.Equal("container-manager.images", options.ContainerManagerQueue);
        Assert.Equal("kusanali.notifications", options.KusanaliQueue);
        Assert.Equal(QueueType.Quorum, options.QueueType);
        Assert.Equal(8, options.Prefetch);
        Assert.Equal(65536, options.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PublishTimeout);
    }

    [Fact]
    public void RabbitMqValidator_ManyProblems_ReportsEachWithItsPath()
    {
        var options = new RabbitMqOptions
        {
            Uri = new Uri("http://broker/"),
            BuildQueue = "",
            FailQueue = "same",
            KusanaliQueue = "same",
            Prefetch = 0,
            PublishTimeout = TimeSpan.Zero,
            TargetNamespace = "Not_A_Namespace",
        };

        var result = new RabbitMqOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        ValidationAssert.ReportsEach(failures, "RabbitMq:Uri", "RabbitMq:BuildQueue");
        Assert.Contains(failures, f => f.Contains("FailQueue, KusanaliQueue name the same queue 'same'", StringComparison.Ordinal));
        ValidationAssert.ReportsEach(failures, "RabbitMq:Prefetch", "RabbitMq:PublishTimeout", "RabbitMq:TargetNamespace");
    }

    [Fact]
    public void RetryValidator_BadTiersAndDelays_ReportsEach()
    {
        var options = new RetryOptions
        {
            MaxRetries = -1,
            BaseDelay = TimeSpan.Zero,
            DelayTiers = [TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(5)],
        };

        var failures = new RetryOptionsValidator().Validate(null, options).Failures!.ToList();

        ValidationAssert.ReportsEach(failures, "Retry:MaxRetries", "Retry:BaseDelay", "Retry:DelayTiers:0");
        Assert.DoesNotContain(failures, f => f.StartsWith("Retry:DelayTiers:1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(8, 1280)]
    [InlineData(9, 1800)]
    [InlineData(1000, 1800)]
    public void DelayFor_Retry_DoublesUpToMaxDelay(int retry, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), new RetryOptions().DelayFor(retry));
    }

    [Fact]
    public void EffectiveDelayTiers_NoneConfigured_AreTheDefaults()
    {
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1800)],
            new RetryOptions().EffectiveDelayTiers());
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)],
            new RetryOptions { DelayTiers = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)] }.EffectiveDelayTiers());
    }

    [Fact]
    public void ResolveTargetNamespace_Configured_WinsOverDefault()
    {
        Assert.Equal("builds", new RabbitMqOptions { TargetNamespace = "builds" }.ResolveTargetNamespace());
    }
}
