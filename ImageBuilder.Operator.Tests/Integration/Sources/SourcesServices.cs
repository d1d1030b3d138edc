using System.Globalization;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The resolver as the operator wires it (<c>AddSources</c>), pointed at a test server.</summary>
internal static class SourcesServices
{
    /// <summary>The resolver; <paramref name="localGit"/> allows the loopback and file:// remotes these tests use, which production refuses.</summary>
    public static ServiceProvider Build(Uri apiUrl, TimeSpan? timeout = null, TimeSpan? gitTimeout = null, bool localGit = true)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:Git:AllowLoopback"] = localGit ? "true" : "false",
            ["Sources:Git:AllowFileUrls"] = localGit ? "true" : "false",
            ["GitHub:ApiUrl"] = apiUrl.AbsoluteUri,
            ["GitHub:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["GitHub:GitTimeout"] = (gitTimeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
        }).Build();
        return new ServiceCollection().AddLogging().AddSources(configuration).BuildServiceProvider(validateScopes: true);
    }

    public static ISourceResolver Resolver(this ServiceProvider services) => services.GetRequiredService<ISourceResolver>();
}
