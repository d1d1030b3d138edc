using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.Messaging;

if (args is ["submit", ..])
{
    return await SubmitCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddImageBuilder();
var app = builder.Build();
app.MapImageBuilderEndpoints();
await app.RunAsync();
return 0;
