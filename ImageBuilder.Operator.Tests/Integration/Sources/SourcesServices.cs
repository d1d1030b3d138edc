using System.Globalization;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The resolver as the operator wires it (<c>AddSources</c>), pointed at a test server.</summary>
internal static class SourcesServices
{
    public static ServiceProvider Build(Uri apiUrl, TimeSpan? timeout = null, TimeSpan? gitTimeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitHub:ApiUrl"] = apiUrl.AbsoluteUri,
            ["GitHub:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["GitHub:GitTimeout"] = (gitTimeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
        }).Build();
        return new ServiceCollection().AddLogging().AddSources(configuration).BuildServiceProvider(validateScopes: true);
    }

    public static ISourceResolver Resolver(this ServiceProvider services) => services.GetRequiredService<ISourceResolver>();
}
