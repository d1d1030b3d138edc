using System.Text;
using ImageBuilder.Operator.Requests;
using RabbitMQ.Client;

namespace ImageBuilder.Operator.RabbitMq;

/// <summary>One delivered message, its body copied out of the client's buffer (valid only inside the handler).</summary>
public sealed class Delivery
{
    public Delivery(byte[] body, IReadOnlyBasicProperties properties, bool redelivered)
    {
        ArgumentNullException.ThrowIfNull(properties);
        Body = body;
        Redelivered = redelivered;
        MessageId = properties.IsMessageIdPresent() && !string.IsNullOrEmpty(properties.MessageId) ? properties.MessageId : null;
        Headers = properties.Headers ?? new Dictionary<string, object?>();
    }

    public byte[] Body { get; }

    /// <summary>The sender's message id; null when it set none (the platform's backend does not).</summary>
    public string? MessageId { get; }

    public bool Redelivered { get; }

    public IDictionary<string, object?> Headers { get; }

    /// <summary>The message id, or a short hash of the body, for log lines.</summary>
    public string LogId => MessageId is { } id ? Text.Quote(id) : "body-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Body))[..12];

    /// <summary>A header as text: AMQP delivers strings as byte arrays.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        null => null,
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    } : null;
}
