namespace ImageBuilder.Operator.Bridge;

/// <summary>The outcome of writing a request, the ImageBuild's name, and why when it was not written.</summary>
public sealed record BuildWriteResult(BuildWriteOutcome Outcome, string Name, string Reason = "");
