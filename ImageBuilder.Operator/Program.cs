using ImageBuilder.Operator.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddImageBuilder();
var app = builder.Build();
app.MapImageBuilderEndpoints();
await app.RunAsync();
