using System.Text.RegularExpressions;
using ImageBuilder.Operator.Tests.Deploy;

namespace ImageBuilder.Operator.Tests.Fuzz;

/// <summary>
/// The short fuzz run of <c>make test</c>: scripts/fuzz.sh (afl++ and SharpFuzz, as <c>make fuzz</c>
/// runs them) for about a minute in its own folder, failing on any input that breaks the parser's
/// contract; the script prints each one with the rule it broke.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed partial class FuzzRunTests
{
    private const int Seconds = 60;

    [Fact]
    public async Task ShortFuzzRun_FindsNoContractBreach()
    {
        var result = await Helm.RunProcessAsync(
            "env",
            [$"FUZZ_SECONDS={Seconds}", "FUZZ_NAME=make-test", "bash", Path.Combine(Helm.RepoRoot, "scripts", "fuzz.sh")],
            TimeSpan.FromMinutes(15));

        var summary = Summary().Match(result.StdOut);
        Assert.True(result.Succeeded && summary.Success, $"the short fuzz run failed:\n{result}");
        // A run that executed nearly nothing would prove nothing (afl could not talk to the harness).
        Assert.True(long.Parse(summary.Groups["execs"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1000, summary.Value);
        Assert.Equal("0", summary.Groups["reproduced"].Value);
    }

    [GeneratedRegex(@"^fuzz: .*execs=(?<execs>\d+) .*reproduced=(?<reproduced>\d+) .*$", RegexOptions.Multiline)]
    private static partial Regex Summary();
}
