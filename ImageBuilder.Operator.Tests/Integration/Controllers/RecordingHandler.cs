using System.Threading.Channels;
using ImageBuilder.Operator.Controllers.Client;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Collects an informer's notifications so a test can await the one it expects.</summary>
public sealed class RecordingHandler<T> : IInformerHandler<T>
    where T : class
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly Channel<InformerEvent<T>> _events = Channel.CreateUnbounded<InformerEvent<T>>();

    public void OnAdd(T obj) => _events.Writer.TryWrite(new InformerEvent<T>("add", null, obj));

    public void OnUpdate(T oldObj, T newObj) =>
        _events.Writer.TryWrite(new InformerEvent<T>(ReferenceEquals(oldObj, newObj) ? "resync" : "update", oldObj, newObj));

    public void OnDelete(T obj) => _events.Writer.TryWrite(new InformerEvent<T>("delete", null, obj));

    /// <summary>Skips events until one matches; fails the test if none comes within the guard time.</summary>
    public async Task<InformerEvent<T>> NextAsync(Func<InformerEvent<T>, bool> match)
    {
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(guard.Token);
                if (match(next))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching {typeof(T).Name} event within {Guard}");
        }
    }
}
