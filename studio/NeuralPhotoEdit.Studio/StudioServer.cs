using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Studio;

/// <summary>What the studio opens and edits with.</summary>
public sealed record StudioOptions
{
    /// <summary>The photo every new page opens with.</summary>
    public required string PhotoPath { get; init; }
    /// <summary>0: a free port the system picks.</summary>
    public int Port { get; init; }
    /// <summary>The model file, or null for the bundled model.</summary>
    public string? ModelPath { get; init; }
    public string Device { get; init; } = "auto";
}

/// <summary>
/// The studio's web server: Kestrel on the loopback interface only, serving the page's own files (built
/// into this assembly; no path from a request ever names a file on disk) and one WebSocket per open page,
/// which carries the page's strokes to a <see cref="StudioConnection"/> and its frames back. Every
/// request passes the <see cref="StudioGuard"/>.
/// </summary>
public sealed class StudioServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly StudioGuard _guard;

    StudioServer(WebApplication app, StudioGuard guard, Uri address)
    {
        (_app, _guard, Address) = (app, guard, address);
    }

    /// <summary>Loads the model (the engine keeps one per process) while the browser opens, so the first
    /// stroke doesn't wait for it; a page that opens sooner says it is loading.</summary>
    static Task<string?> LoadModelAsync(StudioOptions options) => Task.Run(() =>
    {
        using var service = new EditService();
        var outcome = service.Run(new EditRequest { Photo = new RgbaImage(64, 64), Kind = EditKind.Reconstruct, ModelPath = options.ModelPath,
            Device = options.Device });
        return outcome.Problem;
    });

    /// <summary>Where to open the studio, token included.</summary>
    public Uri Address { get; }
    public string Token => _guard.Token;
    public int Port => _guard.Port;
    /// <summary>Pages open now.</summary>
    public int OpenPages => StudioConnection.Open;

    /// <summary>The page's files: name → (content type, bytes).</summary>
    static readonly Dictionary<string, (string Type, byte[] Bytes)> Page = LoadPage();

    static Dictionary<string, (string, byte[])> LoadPage()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("studio.js", "text/javascript; charset=utf-8"),
            ("studio.css", "text/css; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("page/" + name) ?? throw new InvalidOperationException($"The studio page's " +
                $"{name} is missing from the build.");
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            files[name] = (type, memory.ToArray());
        }
        return files;
    }

    public static async Task<StudioServer> StartAsync(StudioOptions options, CancellationToken cancellation = default)
    {
        // The photo is checked before the server starts: a bad one is a message, not a page that fails.
        var photo = ImageFiles.Load(options.PhotoPath);
        StudioConnection.CheckUploadSize(photo.Width, photo.Height, Path.GetFileName(options.PhotoPath));
        var model = LoadModelAsync(options);
        var guard = new StudioGuard();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = 0;   // nothing is posted: uploads travel over the WebSocket, within its limits
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (guard.Refusal(context.Request) is not null)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            var headers = context.Response.Headers;
            headers.CacheControl = "no-store";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";   // the token stays in this page
            headers["X-Frame-Options"] = "DENY";
            headers.ContentSecurityPolicy = $"default-src 'self'; img-src 'self' blob: data:; connect-src 'self' ws://127.0.0.1:{guard.Port} " +
                $"ws://localhost:{guard.Port}; frame-ancestors 'none'";
            await next(context);
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.MapGet("/", () => Results.Text(Encoding.UTF8.GetString(Page["index.html"].Bytes).Replace("{{token}}", guard.Token),
            Page["index.html"].Type));
        app.MapGet("/{file}", (string file) => file != "index.html" && Page.ContainsKey(file) ? Serve(file) : Results.NotFound());
        app.Map("/live", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var connection = new StudioConnection(socket, guard, options, photo, Path.GetFileName(options.PhotoPath), model);
            await connection.RunAsync(context.RequestAborted);
        });
        await app.StartAsync(cancellation);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        guard.Port = new Uri(bound).Port;
        return new StudioServer(app, guard, new Uri($"http://127.0.0.1:{guard.Port}/?token={guard.Token}"));
    }

    static IResult Serve(string name)
    {
        var (type, bytes) = Page[name];
        return Results.Bytes(bytes, type);
    }

    /// <summary>Runs until <paramref name="cancellation"/> (Ctrl+C), then stops cleanly.</summary>
    public async Task WaitAsync(CancellationToken cancellation)
    {
        try { await Task.Delay(Timeout.Infinite, cancellation); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
