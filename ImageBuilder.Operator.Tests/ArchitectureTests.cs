using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Tests;

/// <summary>
/// How the operator's top-level folders may name each other: the arrows point one way (ImageBuilder.Operator/README.md
/// draws them). Read from the sources rather than the compiled assembly, so a constant, a cref or a using that names
/// another folder counts as much as a call does (the compiler inlines constants; an unused using fails the build).
/// </summary>
public sealed partial class ArchitectureTests
{
    private const string Root = "ImageBuilder.Operator";

    /// <summary>One source file: its path under ImageBuilder.Operator/ with '/' separators, and its text.</summary>
    internal sealed record SourceFile(string Path, string Text);

    /// <summary><paramref name="From"/> names <paramref name="To"/> in <paramref name="Files"/>.</summary>
    internal sealed record Arrow(string From, string To, IReadOnlyList<string> Files)
    {
        public override string ToString() => $"{From} → {To} ({string.Join(", ", Files)})";
    }

    private static readonly Lazy<List<SourceFile>> Sources = new(ReadSources);

    [Fact]
    public void Folders_DependOnEachOtherOneWay()
    {
        var arrows = Arrows(Sources.Value);

        AssertNone(Cycles(arrows), "arrows that have a way back");
    }

    [Fact]
    public void Api_NamesNoOtherFolder()
    {
        // The CRD types and wire contracts: everything may name them, they name nothing of the operator.
        AssertNone(Arrows(Sources.Value).Where(a => a.From == "Api").Select(a => a.ToString()), "arrows out of Api");
    }

    [Fact]
    public void Metrics_NamesOnlyApiAndTheRuntime()
    {
        // The roles count into OperatorMetrics; Metrics knows no role, so it never pulls one in.
        AssertNone(Arrows(Sources.Value).Where(a => a.From == "Metrics" && a.To is not ("Api" or "Controllers")).Select(a => a.ToString()), "arrows out of Metrics to a role");
    }

    [Fact]
    public void Hosting_IsNamedOnlyByProgram()
    {
        // The composition root sits on top: it names every role, and no role names it back.
        AssertNone(Arrows(Sources.Value).Where(a => a.To == "Hosting" && a.From != "Program").Select(a => a.ToString()), "arrows into Hosting");
    }

    [Fact]
    public void ServiceProviderLookups_OnlyInRegistrationsAndHosting()
    {
        // Classes take what they need in their constructors; only the code that wires them (registration extensions,
        // builders such as the runtime's ControllerBuilder, Hosting) asks the container.
        var lookups = Sources.Value
            .Where(file => ServiceLookup().IsMatch(file.Text))
            .Where(file => !file.Path.EndsWith("Extensions.cs", StringComparison.Ordinal)
                && !file.Path.EndsWith("Builder.cs", StringComparison.Ordinal)
                && !file.Path.StartsWith("Hosting/", StringComparison.Ordinal)
                && !file.Path.Contains("/Hosting/", StringComparison.Ordinal))
            .Select(file => file.Path);

        AssertNone(lookups, "service-provider lookups outside registrations and hosting");
    }

    [Fact]
    public void Namespaces_FollowFolders()
    {
        var misplaced = Sources.Value
            .Where(file => file.Path != "Program.cs")
            .Where(file =>
            {
                var folder = Path.GetDirectoryName(file.Path)!.Replace('\\', '/');
                var expected = folder.Length == 0 ? Root : Root + "." + folder.Replace('/', '.');
                return !file.Text.Contains($"\nnamespace {expected};", StringComparison.Ordinal)
                    && !file.Text.StartsWith($"namespace {expected};", StringComparison.Ordinal);
            })
            .Select(file => file.Path);

        AssertNone(misplaced, "files whose namespace is not their folder's");
    }

    [Fact]
    public void Arrows_EveryWayOfNamingAFolder_IsSeen()
    {
        // Guards the scan the other rules rest on: a using, a fully qualified name, a name relative to the
        // common parent namespace, a type of the root namespace; and not a member that happens to share a folder's name.
        SourceFile[] sources =
        [
            new("Alpha/A.cs", "using ImageBuilder.Operator.Beta;\nnamespace ImageBuilder.Operator.Alpha;\npublic class A;"),
            new("Beta/B.cs", "namespace ImageBuilder.Operator.Beta;\npublic class B { object C = ImageBuilder.Operator.Gamma.G.X; }"),
            new("Gamma/G.cs", "namespace ImageBuilder.Operator.Gamma;\n/// <see cref=\"Delta.Sub.D\"/>\npublic class G;"),
            new("Delta/Sub/D.cs", "namespace ImageBuilder.Operator.Delta.Sub;\npublic class D { int X = Backoff.Delay(); }"),
            new("Epsilon/E.cs", "namespace ImageBuilder.Operator.Epsilon;\npublic class E { object X => this.Alpha.A; object Y => Beta.Value; }"),
            new("Backoff.cs", "namespace ImageBuilder.Operator;\npublic static class Backoff;"),
        ];

        var arrows = Arrows(sources).Select(a => $"{a.From}->{a.To}").Order(StringComparer.Ordinal);

        Assert.Equal(["Alpha->Beta", "Beta->Gamma", "Delta->Backoff", "Gamma->Delta"], arrows);
    }

    [Fact]
    public void Cycles_TwoFoldersNamingEachOther_ReportedWithTheirFiles()
    {
        SourceFile[] sources =
        [
            new("Alpha/A.cs", "using ImageBuilder.Operator.Beta;\nnamespace ImageBuilder.Operator.Alpha;"),
            new("Beta/B.cs", "using ImageBuilder.Operator.Gamma;\nnamespace ImageBuilder.Operator.Beta;"),
            new("Gamma/G.cs", "using ImageBuilder.Operator.Alpha;\nnamespace ImageBuilder.Operator.Gamma;"),
            new("Delta/D.cs", "using ImageBuilder.Operator.Alpha;\nnamespace ImageBuilder.Operator.Delta;"),
        ];

        var cycles = Cycles(Arrows(sources));

        Assert.Equal(3, cycles.Count);
        Assert.Contains("Gamma → Alpha (Gamma/G.cs) and back: Alpha → Beta → Gamma", cycles);
    }

    /// <summary>Fails listing every finding in full (a collection assertion would cut each one short).</summary>
    private static void AssertNone(IEnumerable<string> findings, string what)
    {
        var list = findings.ToList();
        Assert.True(list.Count == 0, $"{list.Count} {what}:\n{string.Join("\n", list)}");
    }

    /// <summary>The operator's sources, from the checkout this test file was compiled in.</summary>
    private static List<SourceFile> ReadSources()
    {
        var directory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", Root));
        Assert.True(Directory.Exists(directory), $"the operator's sources are not at {directory}");
        var separator = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace(separator, '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => new SourceFile(path, File.ReadAllText(Path.Combine(directory, path))))
            .ToList();
        // Guards the rules: finding nothing would pass every one of them.
        Assert.True(files.Count > 100, $"found only {files.Count} source files under {directory}");
        return files;
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>A top-level folder, or for a file of the root namespace its type (Program, ExponentialBackoff).</summary>
    private static string NodeOf(string path) =>
        path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] : path[..^".cs".Length];

    /// <summary>Which top-level folder (or root-namespace type) each file names, grouped into arrows.</summary>
    internal static IReadOnlyList<Arrow> Arrows(IReadOnlyList<SourceFile> sources)
    {
        var folders = sources.Where(f => f.Path.Contains('/', StringComparison.Ordinal)).Select(f => NodeOf(f.Path)).ToHashSet(StringComparer.Ordinal);
        var rootTypes = sources.Where(f => !f.Path.Contains('/', StringComparison.Ordinal) && f.Path != "Program.cs").Select(f => NodeOf(f.Path)).ToList();
        // What a name relative to ImageBuilder.Operator can start with after "Folder.": its types and its sub-namespaces.
        var members = folders.ToDictionary(folder => folder, folder => sources
            .Where(f => NodeOf(f.Path) == folder)
            .SelectMany(f => TypeDeclaration().Matches(f.Text).Select(m => m.Groups[1].Value)
                .Concat(f.Path.Split('/') is { Length: > 2 } parts ? [parts[1]] : []))
            .ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var found = new List<(string From, string To, string File)>();
        foreach (var file in sources)
        {
            var from = NodeOf(file.Path);
            var named = new HashSet<string>(StringComparer.Ordinal);
            named.UnionWith(FullyQualified().Matches(file.Text).Select(m => m.Groups[1].Value).Where(folders.Contains));
            named.UnionWith(Qualified().Matches(file.Text)
                .Where(m => members.TryGetValue(m.Groups[1].Value, out var names) && names.Contains(m.Groups[2].Value))
                .Select(m => m.Groups[1].Value));
            named.UnionWith(rootTypes.Where(type => Regex.IsMatch(file.Text, $@"(?<![\w.]){type}\b")));
            named.Remove(from);
            found.AddRange(named.Select(to => (from, to, file.Path)));
        }
        return [.. found.GroupBy(a => (a.From, a.To))
            .Select(g => new Arrow(g.Key.From, g.Key.To, [.. g.Select(a => a.File)]))
            .OrderBy(a => a.From, StringComparer.Ordinal).ThenBy(a => a.To, StringComparer.Ordinal)];
    }

    /// <summary>Every arrow that has a way back, each with the way back (empty when the arrows point one way).</summary>
    internal static IReadOnlyList<string> Cycles(IReadOnlyList<Arrow> arrows)
    {
        var next = arrows.GroupBy(a => a.From).ToDictionary(g => g.Key, g => g.Select(a => a.To).ToList(), StringComparer.Ordinal);
        var cycles = new List<string>();
        foreach (var arrow in arrows)
        {
            if (PathBetween(next, arrow.To, arrow.From) is { } back)
            {
                cycles.Add($"{arrow} and back: {string.Join(" → ", back)}");
            }
        }
        return cycles;
    }

    /// <summary>The shortest chain of arrows from <paramref name="start"/> to <paramref name="end"/>, or null.</summary>
    private static List<string>? PathBetween(Dictionary<string, List<string>> next, string start, string end)
    {
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal) { [start] = "" };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            if (node == end)
            {
                var path = new List<string>();
                for (var at = end; at.Length > 0; at = cameFrom[at])
                {
                    path.Insert(0, at);
                }
                return path;
            }
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (cameFrom.TryAdd(to, node))
                {
                    queue.Enqueue(to);
                }
            }
        }
        return null;
    }

    [GeneratedRegex(@"\bImageBuilder\.Operator\.(\w+)")]
    private static partial Regex FullyQualified();

    [GeneratedRegex(@"(?<![\w.])(\w+)\.(\w+)")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\.(?:GetService|GetRequiredService|GetServices|GetKeyedService|GetRequiredKeyedService)\b")]
    private static partial Regex ServiceLookup();
}
