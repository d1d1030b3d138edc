using System.Text.RegularExpressions;
using k8s;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>The documents of a <c>helm template</c> output, by kind, deserialized into KubernetesClient models on demand.</summary>
internal sealed partial class RenderedManifests
{
    private readonly List<(string Kind, string Yaml)> _documents;

    private RenderedManifests(List<(string Kind, string Yaml)> documents) => _documents = documents;

    public string Text => string.Join("\n---\n", _documents.Select(d => d.Yaml));

    public IReadOnlyList<string> Kinds => _documents.Select(d => d.Kind).ToList();

    public static RenderedManifests Parse(string output)
    {
        var documents = DocumentSeparator().Split(output)
            .Select(yaml => (Kind: KindLine().Match(yaml) is { Success: true } m ? m.Groups[1].Value : "", Yaml: yaml))
            .Where(d => d.Kind.Length > 0)
            .ToList();
        return new RenderedManifests(documents);
    }

    public IReadOnlyList<T> All<T>(string kind) =>
        _documents.Where(d => d.Kind == kind).Select(d => KubernetesYaml.Deserialize<T>(d.Yaml)).ToList();

    public T Single<T>(string kind)
    {
        var all = All<T>(kind);
        Assert.True(all.Count == 1, $"expected one {kind}, found {all.Count}; kinds: {string.Join(", ", Kinds)}");
        return all[0];
    }

    public string ApiVersionOf(string kind) =>
        ApiVersionLine().Match(_documents.Single(d => d.Kind == kind).Yaml).Groups[1].Value;

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^kind:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    [GeneratedRegex(@"^apiVersion:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ApiVersionLine();
}
