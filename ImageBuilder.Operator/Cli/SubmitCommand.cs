using System.Text.Json;
using System.Text.Json.Nodes;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Requests;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Cli;

/// <summary>
/// <c>submit</c>: publishes a BuildRequest the way the platform's backend does (default exchange,
/// routing key = queue name, JSON, no queue declaration), with a publisher confirm and
/// <c>mandatory</c>, so a missing queue is reported instead of the message vanishing.
/// Exit codes: 0 confirmed, 1 not delivered, 2 bad usage or invalid request.
/// </summary>
public static class SubmitCommand
{
    public const string Usage =
        "usage: submit --repo OWNER/NAME --user USER_ID --token-file FILE [--app APPLICATION_ID]\n" +
        "              [--connector github|git] [--type repo|tag|release|commit] [--branch B] [--tag T]\n" +
        "              [--release R] [--commit SHA] [--amqp URI] [--queue QUEUE] [--message-id ID]\n" +
        "  --amqp defaults to $AMQP_URI, then $RabbitMq__Uri, then amqp://guest:guest@127.0.0.1:5672/\n" +
        "  --token-file - reads the token from standard input";

    private static readonly string[] Required = ["repo", "user", "token-file"];

    private static readonly string[] Known =
        ["repo", "user", "token-file", "app", "connector", "type", "branch", "tag", "release", "commit", "amqp", "queue", "message-id"];

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parsed = ParseArguments(args.SkipWhile(a => a == "submit").ToArray());
        if (parsed.Error is not null || parsed.Values is null)
        {
            await stderr.WriteLineAsync(parsed.Error + "\n" + Usage);
            return 2;
        }
        var values = parsed.Values;
        var token = await ReadTokenAsync(values.GetValueOrDefault("token-file"), cancellationToken);
        if (token is null)
        {
            await stderr.WriteLineAsync("--token-file is required and must name a readable file (or - for standard input).");
            return 2;
        }
        var body = BuildBody(values, token);
        var check = new BuildRequestParser(new RabbitMqOptions().MaxMessageBytes).Parse(body);
        if (!check.IsValid)
        {
            await stderr.WriteLineAsync("Not sent: " + check.Message);
            return 2;
        }
        return await PublishAsync(values, body, stdout, stderr, cancellationToken);
    }

    private static async Task<int> PublishAsync(Dictionary<string, string> values, byte[] body, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var defaults = new RabbitMqOptions();
        var uriText = values.GetValueOrDefault("amqp") ?? Environment.GetEnvironmentVariable("AMQP_URI")
            ?? Environment.GetEnvironmentVariable("RabbitMq__Uri") ?? defaults.Uri.ToString();
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            await stderr.WriteLineAsync("--amqp must be an amqp:// or amqps:// URI.");
            return 2;
        }
        var queue = values.GetValueOrDefault("queue") ?? defaults.BuildQueue;
        var messageId = values.GetValueOrDefault("message-id");
        var endpoint = RabbitMqConnection.RedactedEndpoint(uri);
        var factory = RabbitMqConnection.CreateFactory(uri, "image-builder-submit");
        factory.AutomaticRecoveryEnabled = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(defaults.PublishTimeout * 3);
        try
        {
            await using var connection = await factory.CreateConnectionAsync(timeout.Token);
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(true, true, new ThrottlingRateLimiter(defaults.MaxOutstandingConfirms)), timeout.Token);
            var properties = new BasicProperties { ContentType = RabbitMqPublisher.JsonContentType, DeliveryMode = DeliveryModes.Persistent };
            if (messageId is not null)
            {
                properties.MessageId = messageId;
            }
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, timeout.Token);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            await stderr.WriteLineAsync($"Not delivered: no queue '{queue}' at {endpoint} (is the operator's bridge running?).");
            return 1;
        }
        catch (Exception e) when (e is BrokerUnreachableException or PublishException or OperationInterruptedException or OperationCanceledException or IOException)
        {
            await stderr.WriteLineAsync($"Not delivered to {endpoint}: {e.GetBaseException().Message}");
            return 1;
        }
        await stdout.WriteLineAsync($"Submitted to queue '{queue}' at {endpoint}; the broker confirmed it.");
        return 0;
    }

    private static byte[] BuildBody(Dictionary<string, string> values, string token)
    {
        var request = new JsonObject
        {
            ["userID"] = values["user"],
            ["token"] = token,
            ["type"] = values.GetValueOrDefault("type") ?? (values.ContainsKey("commit") ? "commit" : "repo"),
            ["connector"] = values.GetValueOrDefault("connector") ?? "github",
            ["repo"] = values["repo"],
        };
        foreach (var (flag, field) in new[] { ("app", "applicationID"), ("branch", "branch"), ("tag", "tag"), ("release", "release"), ("commit", "commit") })
        {
            if (values.TryGetValue(flag, out var value))
            {
                request[field] = value;
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(request);
    }

    private static async Task<string?> ReadTokenAsync(string? path, CancellationToken cancellationToken)
    {
        try
        {
            var text = path switch
            {
                null => null,
                "-" => await Console.In.ReadToEndAsync(cancellationToken),
                _ => await File.ReadAllTextAsync(path, cancellationToken),
            };
            return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (Dictionary<string, string>? Values, string? Error) ParseArguments(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (flag is null || !Known.Contains(flag))
            {
                return (null, $"Unknown argument '{args[i]}'.");
            }
            if (i + 1 >= args.Length)
            {
                return (null, $"--{flag} needs a value.");
            }
            values[flag] = args[++i];
        }
        var missing = Required.Where(r => !values.ContainsKey(r)).ToList();
        return missing.Count > 0 ? (null, "Missing " + string.Join(", ", missing.Select(m => "--" + m)) + ".") : (values, null);
    }
}
