using ImageBuilder.Fuzz;

namespace ImageBuilder.Operator.Tests.Fuzz;

/// <summary>The committed fuzz inputs: seeds kept in step with the test corpora, and every finding replayed.</summary>
public sealed class FuzzCorpusTests
{
    /// <summary>Set to 1 to (re)write fuzz/corpus from the test corpora instead of comparing.</summary>
    private const string WriteVariable = "FUZZ_WRITE_CORPUS";

    [Fact]
    public void SeedCorpus_HoldsEveryTestCorpusBody()
    {
        var write = Environment.GetEnvironmentVariable(WriteVariable) == "1";
        var stale = new List<string>();
        foreach (var (name, body) in FuzzCorpus.Seeds())
        {
            var path = Path.Combine(FuzzCorpus.CorpusDir, name);
            var bytes = FuzzCorpus.Bytes(body);
            if (write)
            {
                File.WriteAllBytes(path, bytes);
            }
            else if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                stale.Add(name);
            }
        }
        Assert.True(stale.Count == 0, $"fuzz/corpus is behind the test corpora ({string.Join(", ", stale)}); run {WriteVariable}=1 TEST_FILTER='FullyQualifiedName~FuzzCorpusTests' bash scripts/test.sh and commit fuzz/corpus.");
    }

    [Theory]
    [MemberData(nameof(FuzzCorpus.Committed), MemberType = typeof(FuzzCorpus))]
    public void CommittedInput_KeepsTheParserContract(string input)
    {
        var body = File.ReadAllBytes(Path.Combine(FuzzCorpus.CorpusDir, "..", input));

        var result = ParserContract.Check(body);

        Assert.True(result.IsValid || result.Message.Length > 0, $"{input}: refused without a message");
    }

    [Fact]
    public void Regressions_AreKeptWithTheirTests()
    {
        // Each finding documents itself: fuzz/regressions/README.md names every file and the fix.
        var readme = File.ReadAllText(Path.Combine(FuzzCorpus.RegressionsDir, "README.md"));
        var files = Directory.EnumerateFiles(FuzzCorpus.RegressionsDir).Select(Path.GetFileName).Where(f => f != "README.md").ToList();

        Assert.All(files, f => Assert.Contains(f!, readme, StringComparison.Ordinal));
    }
}
