using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the RabbitMq section at once, each with its configuration path.</summary>
public sealed partial class RabbitMqOptionsValidator : EveryProblemValidator<RabbitMqOptions>
{
    protected override void Check(RabbitMqOptions options, List<string> errors)
    {
        const string S = RabbitMqOptions.SectionName;
        if (options.Uri is null || !options.Uri.IsAbsoluteUri || options.Uri.Scheme is not ("amqp" or "amqps"))
        {
            errors.Add($"{S}:Uri must be an absolute amqp:// or amqps:// URI.");
        }
        var queues = new (string Key, string Value)[]
        {
            (nameof(options.BuildQueue), options.BuildQueue),
            (nameof(options.FailQueue), options.FailQueue),
            (nameof(options.ContainerManagerQueue), options.ContainerManagerQueue),
            (nameof(options.KusanaliQueue), options.KusanaliQueue),
        };
        foreach (var (key, value) in queues)
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > 200 || value.StartsWith("amq.", StringComparison.Ordinal))
            {
                errors.Add($"{S}:{key} must be a queue name of 1 to 200 characters not starting with 'amq.'.");
            }
        }
        foreach (var dup in queues.GroupBy(q => q.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{S}: {string.Join(", ", dup.Select(d => d.Key))} name the same queue '{dup.Key}'.");
        }
        AddIfNotPositive(errors, $"{S}:PublishTimeout", options.PublishTimeout);
        AddIfNotPositive(errors, $"{S}:RequeueDelay", options.RequeueDelay);
        AddIfNotPositive(errors, $"{S}:MaxConnectDelay", options.MaxConnectDelay);
        if (options.MaxRequeueDelay < options.RequeueDelay)
        {
            errors.Add($"{S}:MaxRequeueDelay must be at least RequeueDelay.");
        }
        if (options.Prefetch is < 1 or > 1000)
        {
            errors.Add($"{S}:Prefetch must be between 1 and 1000.");
        }
        if (options.MaxMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            errors.Add($"{S}:MaxMessageBytes must be between 1024 and 16777216.");
        }
        if (options.MaxOutstandingConfirms is < 1 or > 10000)
        {
            errors.Add($"{S}:MaxOutstandingConfirms must be between 1 and 10000.");
        }
        if (!string.IsNullOrEmpty(options.TargetNamespace) && !DnsLabel().IsMatch(options.TargetNamespace))
        {
            errors.Add($"{S}:TargetNamespace must be a DNS-1123 label (lower-case letters, digits, '-', at most 63).");
        }
        if (!Enum.IsDefined(options.QueueType))
        {
            errors.Add($"{S}:QueueType must be Quorum or Classic.");
        }
        if (!Enum.IsDefined(options.OnQueueMismatch))
        {
            errors.Add($"{S}:OnQueueMismatch must be Fail or UseExisting.");
        }
    }

    private static void AddIfNotPositive(List<string> errors, string path, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{path} must be positive.");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
