using System.Text.Json;
using ImageBuilder.Fuzz;
using SharpFuzz;

// Under afl-fuzz (scripts/fuzz.sh): each input goes through the parser's contract. Out of process,
// so that a stack overflow or a fatal error still ends as a recorded crash, not a dead fuzzer.
// "replay FILE..." checks saved inputs without afl and says what broke, for people and for CI logs.
if (args is ["replay", .. var paths])
{
    var failed = 0;
    foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order() : (IEnumerable<string>)[p]))
    {
        var body = File.ReadAllBytes(file);
        try
        {
            var result = ParserContract.Check(body);
            Console.WriteLine($"ok    {file}: {(result.IsValid ? "accepted" : "refused: " + result.Message)}");
        }
        catch (ContractViolationException e)
        {
            failed++;
            Console.WriteLine($"BREAK {file}: {e.Message}");
            Console.WriteLine($"      input ({body.Length} bytes, as a JSON string): {JsonSerializer.Serialize(System.Text.Encoding.Latin1.GetString(body), ReplayJson)}");
        }
    }
    return failed == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    ParserContract.Check(buffer.ToArray());
});
return 0;

/// <summary>Entry point; its one field is how replays print an input.</summary>
internal sealed partial class Program
{
    /// <summary>Bytes as Latin-1 in a JSON string: only quotes, backslashes and controls escaped, so the input stays readable.</summary>
    private static readonly JsonSerializerOptions ReplayJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
