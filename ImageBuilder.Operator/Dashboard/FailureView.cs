namespace ImageBuilder.Operator.Dashboard;

/// <summary><c>status.lastFailure</c>: fault, reason, message and the build log's tail.</summary>
public sealed record FailureView(string Fault, string Reason, string Message, string? LogTail, int Attempt);
