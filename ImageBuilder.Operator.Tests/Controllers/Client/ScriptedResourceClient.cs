using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

/// <summary>
/// An <see cref="IResourceClient{T}"/> that the test answers call by call, so an informer's states are tested without a
/// cluster and without waiting on a clock: each list and each step of a watch waits for the test's next answer, and
/// every answer returns once the informer has handled it and asks again (its next list, watch or event).
/// </summary>
internal sealed class ScriptedResourceClient<T> : IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly Channel<Step> _steps = Channel.CreateUnbounded<Step>();
    private TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _version;

    /// <summary>Completes when the informer waits for an answer (the first ask, right after it starts).</summary>
    public Task AskedAsync() => Volatile.Read(ref _asked).Task.WaitAsync(Guard);

    /// <summary>Answers a list with <paramref name="items"/> at a new resourceVersion.</summary>
    public Task AnswerListAsync(params T[] items) =>
        AnswerAsync(new Listed(new ResourcePage<T>(items, Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture), null)));

    /// <summary>Delivers one watch event.</summary>
    public Task SendAsync(WatchEventType type, T obj) => AnswerAsync(new Delivered(type, obj));

    /// <summary>The server ends the watch on schedule.</summary>
    public Task EndWatchAsync() => AnswerAsync(new Ended(null));

    /// <summary>The server reports <paramref name="error"/> as an error event and ends the watch (a 410 is a <see cref="KubernetesException"/> with that code).</summary>
    public Task ReportErrorAsync(Exception error) => AnswerAsync(new Ended(error));

    /// <summary>The pending list or watch call throws <paramref name="error"/>.</summary>
    public Task FailAsync(Exception error) => AnswerAsync(new Failed(error));

    /// <summary>Runs <paramref name="trigger"/> (a clock advanced, say) and waits until the informer asks again.</summary>
    public Task AfterAsync(Action trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var asked = Arm();
        trigger();
        return asked.WaitAsync(Guard);
    }

    public async Task<ResourcePage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken) =>
        await NextAsync(cancellationToken) switch
        {
            Listed listed => listed.Page,
            Failed failed => throw failed.Error,
            var other => throw new InvalidOperationException($"the informer listed; the test answered {other}"),
        };

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, TimeSpan timeout, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onError);
        while (true)
        {
            var step = await NextAsync(cancellationToken);
            if (step is Delivered delivered)
            {
                yield return (delivered.Type, delivered.Object);
                continue;
            }
            if (step is Ended ended)
            {
                if (ended.Error is not null)
                {
                    onError(ended.Error);
                }
                yield break;
            }
            throw step is Failed failed ? failed.Error : new InvalidOperationException($"the informer watched; the test answered {step}");
        }
    }

    private Task AnswerAsync(Step step)
    {
        var asked = Arm();
        _steps.Writer.TryWrite(step);
        return asked.WaitAsync(Guard);
    }

    private Task Arm()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _asked, asked);
        return asked.Task;
    }

    private async ValueTask<Step> NextAsync(CancellationToken cancellationToken)
    {
        if (_steps.Reader.TryRead(out var step))
        {
            return step;
        }
        Volatile.Read(ref _asked).TrySetResult();
        return await _steps.Reader.ReadAsync(cancellationToken);
    }

    private abstract record Step;

    private sealed record Listed(ResourcePage<T> Page) : Step;

    private sealed record Delivered(WatchEventType Type, T Object) : Step;

    private sealed record Ended(Exception? Error) : Step;

    private sealed record Failed(Exception Error) : Step;
}
