using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Sends the runtime's logs to the test's output, so a failing integration test shows what the informer or elector saw.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    private volatile bool _disposed;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose() => _disposed = true;

    private sealed class Logger(TestOutputLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (owner._disposed)
            {
                return;
            }
            try
            {
                var error = exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message;
                owner.Output($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{error}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished; xunit refuses late output.
            }
        }
    }

    private void Output(string line) => output.WriteLine(line);
}
