using System.ComponentModel.DataAnnotations;
using System.Reflection;
using ImageBuilder.Operator.Api;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// The chart's ConfigMap against the operator's options classes: every key the chart writes must bind to a
/// property (a renamed option would otherwise be ignored silently) and the dev values must pass the
/// operator's own validation. Options classes are found by their <c>SectionName</c> constant.
/// </summary>
public sealed class ChartConfigBindingTests
{
    private static readonly string[] ChartSections = ["Build", "Controller", "GitHub", "RabbitMq", "Reconcile", "Retention", "Retry", "Sources", "Supersede"];

    [Fact]
    public async Task DefaultAndDevValues_WriteExactlyTheOperatorSections()
    {
        foreach (var manifests in await RenderAsync())
        {
            var sections = Sections(Configuration(manifests));

            Assert.Equal(ChartSections, sections);
        }
    }

    [Fact]
    public async Task DefaultAndDevValues_KeysBindToOptionsPropertiesAndPassValidation()
    {
        foreach (var manifests in await RenderAsync())
        {
            var configuration = Configuration(manifests);
            foreach (var section in ChartSections)
            {
                if (OptionsType(section) is not { } type)
                {
                    continue; // That section's options class is not in this build of the operator.
                }
                var options = Activator.CreateInstance(type)!;
                var error = Record.Exception(() => configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true));
                Assert.True(error is null, $"{section}: the chart writes a key the operator does not have: {error?.Message}");
                Assert.Empty(ValidationErrors(type, options));
            }
        }
    }

    private static async Task<RenderedManifests[]> RenderAsync() =>
    [
        await Helm.TemplateAsync("--set", "registry.host=registry.example.com", "--set", "retry.delayTiers={00:00:10,00:05:00}", "--set", "watchNamespace=builds"),
        await Helm.TemplateAsync("-f", Helm.DevValues),
    ];

    private static IConfigurationRoot Configuration(RenderedManifests manifests)
    {
        var data = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        return new ConfigurationBuilder()
            .AddInMemoryCollection(data.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)))
            .Build();
    }

    private static string[] Sections(IConfiguration configuration) =>
        configuration.GetChildren()
            .Where(c => c.GetChildren().Any() && c.Key != "Logging")
            .Select(c => c.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static Type? OptionsType(string section) =>
        typeof(ImageBuild).Assembly.GetTypes().FirstOrDefault(t =>
            t.IsClass && !t.IsAbstract
            && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            && Equals(field.GetRawConstantValue(), section));

    // Data annotations plus the operator's IValidateOptions<T> for the type, when it has a parameterless one.
    private static List<string> ValidationErrors(Type type, object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var errors = results.Select(r => r.ErrorMessage ?? "").ToList();
        var validatorInterface = typeof(IValidateOptions<>).MakeGenericType(type);
        var validator = type.Assembly.GetTypes().FirstOrDefault(t => validatorInterface.IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null);
        if (validator is not null)
        {
            var result = (ValidateOptionsResult)validatorInterface.GetMethod("Validate")!.Invoke(Activator.CreateInstance(validator), [Microsoft.Extensions.Options.Options.DefaultName, options])!;
            errors.AddRange(result.Failures ?? []);
        }
        return errors;
    }
}
