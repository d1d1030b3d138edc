namespace ImageBuilder.Fuzz;

/// <summary>The parser broke its contract on one input: the fuzzer's crash.</summary>
public sealed class ContractViolationException(string message, Exception? inner = null) : Exception(message, inner);
