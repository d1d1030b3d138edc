using System.Text;
using ImageBuilder.Operator.Tests.Deploy;
using ImageBuilder.Operator.Tests.Requests;

namespace ImageBuilder.Operator.Tests.Fuzz;

/// <summary>
/// The fuzzer's committed inputs: <c>fuzz/corpus</c> (seeds made from the test corpora below, so
/// the fuzzer starts where the hand-written cases stand) and <c>fuzz/regressions</c> (every input a
/// fuzz run found breaking the contract).
/// </summary>
public static class FuzzCorpus
{
    public static string CorpusDir { get; } = Path.Combine(Helm.RepoRoot, "fuzz", "corpus");

    public static string RegressionsDir { get; } = Path.Combine(Helm.RepoRoot, "fuzz", "regressions");

    /// <summary>Every committed input, as "corpus/NAME" or "regressions/NAME".</summary>
    public static TheoryData<string> Committed => [.. new[] { CorpusDir, RegressionsDir }
        .SelectMany(d => Directory.EnumerateFiles(d).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        .Select(f => Path.GetRelativePath(Path.Combine(Helm.RepoRoot, "fuzz"), f))
        .Order(StringComparer.Ordinal)];

    /// <summary>The seed each test corpus gives: a file name and the body.</summary>
    public static IEnumerable<(string Name, string Body)> Seeds()
    {
        yield return ("sample-flat.json", RequestSamples.Flat());
        yield return ("sample-nested.json", RequestSamples.Nested());
        foreach (var row in GoSenderSamples.All("vano2903/testing", RequestSamples.Token))
        {
            yield return ($"go-{Slug((string)row[0])}.json", (string)row[1]);
        }
        // Go senders with every field present and empty, required ones included: each must be refused cleanly.
        yield return ("go-flat-all-empty.json", GoSenderSamples.Flat("", "", "").Replace("\"github\"", "\"\"", StringComparison.Ordinal));
        yield return ("go-nested-all-empty-null.json", GoSenderSamples.Nested("", "", GoSenderSamples.EmptyList.Null, applicationId: "", userId: "").Replace("\"github\"", "\"\"", StringComparison.Ordinal));
        yield return ("go-nested-all-empty-brackets.json", GoSenderSamples.Nested("", "", GoSenderSamples.EmptyList.Brackets, applicationId: "", userId: "").Replace("\"github\"", "\"\"", StringComparison.Ordinal));
        foreach (var row in HostileCorpus.Cases)
        {
            yield return ($"hostile-{Slug((string)row[0])}.json", (string)row[1]);
        }
        foreach (var rule in RuleCases.Cases)
        {
            yield return ($"rule-{Slug(rule.Label)}-flat.json", RuleCases.Flat(rule));
            yield return ($"rule-{Slug(rule.Label)}-nested.json", RuleCases.Nested(rule));
        }
    }

    public static byte[] Bytes(string body) => Encoding.UTF8.GetBytes(body);

    private static string Slug(string label)
    {
        var slug = new StringBuilder();
        foreach (var c in label.ToLowerInvariant())
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }
        return slug.ToString().Trim('-');
    }
}
