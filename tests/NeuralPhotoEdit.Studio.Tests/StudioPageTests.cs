using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using static NeuralPhotoEdit.Tests.Shared.ImageMeasures;

namespace NeuralPhotoEdit.Studio.Tests;

/// <summary>The studio in Chromium: every tool from the page, against the engine's own results.</summary>
public sealed class StudioPageTests(StudioFixture studio) : IClassFixture<StudioFixture>
{
    static readonly (double, double)[] SkyScribble = [(100, 40), (140, 55), (180, 45)];

    [Fact]
    public async Task APaintedStrokeChangesThePhotoUnderItAndNotFarAway()
    {
        var page = await studio.OpenAsync();
        var before = await page.PixelsAsync();
        Assert.Equal(studio.Photo.Pixels, before.Pixels);   // the photo is shown as it is
        await page.Page.EvaluateAsync("() => document.querySelector('#colour').value = '#ff7a1a'");
        // A person's stroke: the photo follows while the button is still down (live previews), then the
        // full result replaces the preview when it is released.
        await page.AndWaitAsync(async () =>
        {
            var (x0, y0) = await page.ScreenAsync(100, 40);
            await page.Page.Mouse.MoveAsync(x0, y0);
            await page.Page.Mouse.DownAsync();
            var (x1, y1) = await page.ScreenAsync(140, 55);
            await page.Page.Mouse.MoveAsync(x1, y1, new() { Steps = 8 });
            await page.Page.WaitForFunctionAsync("() => Number(document.body.dataset.previews || 0) >= 2", null, new() { Timeout = 60_000 });
            var (x2, y2) = await page.ScreenAsync(180, 45);
            await page.Page.Mouse.MoveAsync(x2, y2, new() { Steps = 8 });
            await page.Page.Mouse.UpAsync();
        });
        var after = await page.PixelsAsync();
        double under = MeanChange(before, after, new PixelRect(110, 38, 60, 14));
        double far = MeanChange(before, after, new PixelRect(560, 280, 150, 70));
        Assert.True(under > 12, $"under the stroke the photo changed by {under:F1}/255 on average");
        // Far away the photo follows the scribble only a little (the spread's share for a small stroke).
        Assert.True(far < 2 && far < under / 10, $"far from the stroke the photo changed by {far:F2}/255 on average (under it {under:F1})");
        Assert.Empty(page.ScriptErrors);
        await page.CloseAsync();
    }

    /// <summary>Undo and redo give back the exact pixels, and the code tiles of the result they show.</summary>
    [Fact]
    public async Task UndoAndRedoGiveBackTheExactPixels()
    {
        var page = await studio.OpenAsync();
        var noTiles = await TilesAsync(page);
        await page.PaintAsync(SkyScribble);
        var (first, firstTiles) = (await page.PixelsAsync(), await TilesAsync(page));
        await page.PaintAsync((400, 60), (470, 70));
        var (second, secondTiles) = (await page.PixelsAsync(), await TilesAsync(page));
        Assert.NotEqual(first.Pixels, second.Pixels);
        Assert.NotEqual(firstTiles, secondTiles);
        Assert.NotEqual(noTiles, firstTiles);
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='undo']"));
        Assert.Equal(first.Pixels, (await page.PixelsAsync()).Pixels);
        Assert.Equal(firstTiles, await TilesAsync(page));
        await page.AndWaitAsync(() => page.Page.Keyboard.PressAsync("Control+y"));
        Assert.Equal(second.Pixels, (await page.PixelsAsync()).Pixels);
        Assert.Equal(secondTiles, await TilesAsync(page));
        await page.AndWaitAsync(() => page.Page.Keyboard.PressAsync("Control+z"));
        await page.AndWaitAsync(() => page.Page.Keyboard.PressAsync("Control+z"));
        Assert.Equal(studio.Photo.Pixels, (await page.PixelsAsync()).Pixels);
        Assert.Equal(noTiles, await TilesAsync(page));
        await page.CloseAsync();
    }

    /// <summary>The code tiles as the page draws them.</summary>
    static Task<string> TilesAsync(StudioPage page) =>
        page.Page.EvaluateAsync<string>("() => document.querySelector('#latents').toDataURL()");

    [Fact]
    public async Task SaveEqualsTheEngineOnTheSameStrokesAsNpeEditRunsIt()
    {
        var page = await studio.OpenAsync();
        await page.PaintAsync(SkyScribble);
        await page.PaintAsync((300, 30), (420, 35));
        var saved = ImageFiles.Decode(await page.DownloadAsync("save"), "saved.png");
        var strokes = ImageFiles.Decode(await page.DownloadAsync("save-strokes"), "strokes.png");
        Assert.Equal((await page.PixelsAsync()).Pixels, saved.Pixels);   // what the page shows is what is saved
        // What `npe edit --image valley.jpg --strokes strokes.png` computes (EditCommand runs exactly this).
        using var service = new EditService();
        var outcome = service.Run(new EditRequest { Photo = studio.Photo, Strokes = strokes, Device = "cpu" });
        Assert.Null(outcome.Problem);
        Assert.Equal(outcome.ApplyTo(studio.Photo).Pixels, saved.Pixels);   // byte for byte
        await page.CloseAsync();
    }

    [Fact]
    public async Task LightenAndDarkenBrushesChangeBrightnessWhereTheyPaint()
    {
        var page = await studio.OpenAsync();
        var area = new PixelRect(200, 250, 120, 40);
        await page.ClickAsync("[data-tool='lighten']");
        await page.PaintAsync((200, 270), (320, 270));
        var lighter = await page.PixelsAsync();
        Assert.True(Brightness(lighter, area) > Brightness(studio.Photo, area) + 5,
                    $"lighten: {Brightness(studio.Photo, area):F1} → {Brightness(lighter, area):F1}");
        await page.ClickAsync("[data-tool='darken']");
        var other = new PixelRect(480, 250, 120, 40);
        await page.PaintAsync((480, 270), (600, 270));
        var darker = await page.PixelsAsync();
        Assert.True(Brightness(darker, other) < Brightness(lighter, other) - 5,
                    $"darken: {Brightness(lighter, other):F1} → {Brightness(darker, other):F1}");
        await page.CloseAsync();
    }

    [Fact]
    public async Task TheLatentBrushChangesTheImageAndTheCodeTiles()
    {
        var page = await studio.OpenAsync();
        await page.PaintAsync(SkyScribble);
        var painted = await page.PixelsAsync();
        var tilesBefore = await page.Page.EvaluateAsync<string>("() => document.querySelector('#latents').toDataURL()");
        var box = (await page.Page.Locator("#latents").BoundingBoxAsync())!;
        await page.AndWaitAsync(async () =>
        {
            await page.Page.Mouse.MoveAsync(box.X + 5, box.Y + 5);
            await page.Page.Mouse.DownAsync();
            await page.Page.Mouse.MoveAsync(box.X + box.Width - 5, box.Y + box.Height / 2, new() { Steps = 20 });
            await page.Page.Mouse.UpAsync();
        });
        Assert.Equal("latent", await page.Page.GetAttributeAsync("[data-tool='latent']", "class") is string c && c.Contains("active") ? "latent"
            : "none");
        var nudged = await page.PixelsAsync();
        Assert.True(MeanChange(painted, nudged, new PixelRect(0, 0, 720, 360)) > 0.5, "the latent brush left the image as it was");
        Assert.NotEqual(tilesBefore, await page.Page.EvaluateAsync<string>("() => document.querySelector('#latents').toDataURL()"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task EyedropperEraserResetAndViewsWork()
    {
        var page = await studio.OpenAsync();
        // Eyedropper: the colour under the pointer becomes the brush colour.
        await page.ClickAsync("[data-tool='eyedropper']");
        var (x, y) = await page.ScreenAsync(360, 300);
        await page.Page.Mouse.ClickAsync(x, y);
        string picked = await page.Page.InputValueAsync("#colour");
        int o = studio.Photo.Offset(360, 300);
        Assert.Equal($"#{studio.Photo.Pixels[o]:x2}{studio.Photo.Pixels[o + 1]:x2}{studio.Photo.Pixels[o + 2]:x2}", picked);
        Assert.Contains("active", await page.Page.GetAttributeAsync("[data-tool='colour']", "class"));

        // Erasing the whole stroke gives the photo back, exactly.
        await page.Page.EvaluateAsync("() => document.querySelector('#colour').value = '#2050ff'");
        await page.PaintAsync(SkyScribble);
        Assert.NotEqual(studio.Photo.Pixels, (await page.PixelsAsync()).Pixels);
        await page.ClickAsync("[data-tool='erase']");
        await page.Page.EvaluateAsync("() => document.querySelector('#brush-size').value = 200");
        await page.PaintAsync((90, 45), (190, 45));
        Assert.Equal(studio.Photo.Pixels, (await page.PixelsAsync()).Pixels);

        // Views: the mask, the model's reconstruction and a random sample each show something else.
        await page.ClickAsync("[data-tool='colour']");
        await page.Page.EvaluateAsync("() => document.querySelector('#brush-size').value = 40");
        await page.PaintAsync(SkyScribble);
        var edited = await page.PixelsAsync();
        foreach (var view in new[] { "mask", "reconstruct", "sample" })
        {
            await page.AndWaitAsync(() => page.ClickAsync($"[data-action='{view}']"));
            Assert.True(MeanChange(edited, await page.PixelsAsync(), new PixelRect(0, 0, 720, 360)) > 1, $"the {view} view shows the result");
        }
        // Reset: back to the photo.
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='reset']"));
        Assert.Equal(studio.Photo.Pixels, (await page.PixelsAsync()).Pixels);

        // Keep (commit): the result becomes the photo; Before then shows it, and undo has nothing left.
        await page.PaintAsync(SkyScribble);
        var kept = await page.PixelsAsync();
        await page.AndWaitAsync(() => page.ClickAsync("[data-action='commit']"));
        Assert.Equal(kept.Pixels, (await page.PixelsAsync()).Pixels);
        Assert.True(await page.Page.IsDisabledAsync("[data-action='undo']"));
        await page.Page.Keyboard.DownAsync("b");
        Assert.Equal(kept.Pixels, (await page.PixelsAsync()).Pixels);
        await page.Page.Keyboard.UpAsync("b");
        Assert.Empty(page.ScriptErrors);
        await page.CloseAsync();
    }

    /// <summary>Opening another photo (the file picker; dropping uses the same path) shows it at its size,
    /// and strokes then edit it.</summary>
    [Fact]
    public async Task AnOpenedPhotoIsShownAndEdited()
    {
        var page = await studio.OpenAsync();
        var other = ImageFiles.Resize(studio.Photo, 480, 240);
        string path = Path.Combine(Path.GetTempPath(), $"opened-{Guid.NewGuid():N}.png");
        ImageFiles.Save(other, path);
        try
        {
            await page.AndWaitAsync(() => page.Page.SetInputFilesAsync("#file", path));
            var shown = await page.PixelsAsync();
            Assert.Equal((480, 240), (shown.Width, shown.Height));
            Assert.Equal(other.Pixels, shown.Pixels);
            Assert.Contains(Path.GetFileName(path), await page.Page.InnerTextAsync("#photo-name"));
            await page.PaintAsync((60, 25), (120, 35));
            Assert.True(MeanChange(other, await page.PixelsAsync(), new PixelRect(70, 22, 40, 10)) > 5);
        }
        finally { File.Delete(path); }
        await page.CloseAsync();
    }

    internal static double MeanChange(RgbaImage a, RgbaImage b, PixelRect rect)
    {
        double sum = 0;
        for (int y = rect.Y; y < rect.Bottom; y++)
            for (int x = rect.X; x < rect.Right; x++)
                for (int c = 0; c < 3; c++) sum += Math.Abs(a.Pixels[a.Offset(x, y) + c] - b.Pixels[b.Offset(x, y) + c]);
        return sum / (3.0 * rect.Width * rect.Height);
    }
}
