namespace ImageBuilder.Operator.Sources;

/// <summary>What one git run produced.</summary>
public sealed record GitCommandResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;
}
