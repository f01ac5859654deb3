using System.Text.Json;
using Microsoft.Playwright;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Studio.Tests;

/// <summary>One studio on the demo photo (127.0.0.1, a free port) and one Chromium for a test class;
/// each test opens its own page, so each has its own session.</summary>
public sealed class StudioFixture : IAsyncLifetime
{
    public StudioServer Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    IPlaywright _playwright = null!;

    public static string DemoPhoto => Path.Combine(AppContext.BaseDirectory, "demo", "valley.jpg");
    public RgbaImage Photo { get; } = ImageFiles.Load(DemoPhoto);

    public async Task InitializeAsync()
    {
        Server = await StudioServer.StartAsync(new StudioOptions { PhotoPath = DemoPhoto, Device = "cpu" });
        _playwright = await Playwright.CreateAsync();
        string chromium = Environment.GetEnvironmentVariable("NPE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    /// <summary>A new page on the studio, once its photo is shown and it is idle.</summary>
    public async Task<StudioPage> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(Server.Address.AbsoluteUri);
        var studio = new StudioPage(page, errors);
        await studio.WaitIdleAsync();
        return studio;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>The studio's page as a test drives it: through the ids and data attributes the page keeps stable.</summary>
public sealed class StudioPage(IPage page, List<string> errors)
{
    public IPage Page { get; } = page;
    public IReadOnlyList<string> ScriptErrors => errors;

    public Task WaitIdleAsync() =>
        Page.WaitForFunctionAsync("() => document.body.dataset.state === 'idle' && document.querySelector('#photo').width > 1",
                                  null, new() { Timeout = 120_000 });

    public async Task ClickAsync(string selector)
    {
        await Page.ClickAsync(selector);
    }

    /// <summary>Runs <paramref name="act"/> and waits until the page is idle again with a new result shown.</summary>
    public async Task AndWaitAsync(Func<Task> act)
    {
        await Page.EvaluateAsync("() => document.body.dataset.state = 'busy'");
        await act();
        await WaitIdleAsync();
    }

    /// <summary>The canvas's pixels (RGBA, the photo's size).</summary>
    public async Task<RgbaImage> PixelsAsync()
    {
        var result = await Page.EvaluateAsync<JsonElement>("""
            () => {
              const canvas = document.querySelector('#photo');
              const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let text = '';
              for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
              return [canvas.width, canvas.height, btoa(text)];
            }
            """);
        return new RgbaImage(result[0].GetInt32(), result[1].GetInt32(), Convert.FromBase64String(result[2].GetString()!));
    }

    /// <summary>Where a photo pixel is on the screen.</summary>
    public async Task<(float X, float Y)> ScreenAsync(double x, double y)
    {
        var box = (await Page.Locator("#photo").BoundingBoxAsync())!;
        var size = await Page.EvaluateAsync<int[]>("() => [document.querySelector('#photo').width, document.querySelector('#photo').height]");
        var (width, height) = (size[0], size[1]);
        return ((float)(box.X + x * box.Width / width), (float)(box.Y + y * box.Height / height));
    }

    /// <summary>Drags the mouse along photo pixels with the current tool, then waits for the final result.</summary>
    public async Task PaintAsync(params (double X, double Y)[] path)
    {
        await AndWaitAsync(async () =>
        {
            var (x0, y0) = await ScreenAsync(path[0].X, path[0].Y);
            await Page.Mouse.MoveAsync(x0, y0);
            await Page.Mouse.DownAsync();
            foreach (var point in path.Skip(1))
            {
                var (x, y) = await ScreenAsync(point.X, point.Y);
                await Page.Mouse.MoveAsync(x, y, new() { Steps = 8 });
            }
            await Page.Mouse.UpAsync();
        });
    }

    public async Task<byte[]> DownloadAsync(string action)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.ClickAsync($"[data-action='{action}']"));
        string path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path);
    }

    public Task<string> MessageAsync() => Page.InnerTextAsync("#message");

    public async Task CloseAsync() => await Page.Context.CloseAsync();
}
