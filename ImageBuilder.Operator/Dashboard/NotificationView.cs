namespace ImageBuilder.Operator.Dashboard;

/// <summary>The terminal notification the broker confirmed (<c>status.notification</c>).</summary>
public sealed record NotificationView(string Queue, string MessageId, DateTimeOffset? ConfirmedTime);
