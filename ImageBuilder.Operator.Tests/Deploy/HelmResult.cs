namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>What one helm invocation printed and how it exited.</summary>
internal sealed record HelmResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}\n{StdErr}\n{StdOut}";
}
