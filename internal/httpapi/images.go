package httpapi

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
)

// PlaceholderImages are the image paths the API puts in its answers (a
// comment's user_avatar, for one). The server draws and serves them itself
// so that every such URL resolves.
var PlaceholderImages = []string{"/images/no-master.png"}

// noMasterPNG is a 64×64 grey silhouette: a head and shoulders on a light
// background, drawn once at start.
var noMasterPNG = drawAvatar()

func drawAvatar() []byte {
	const n = 64
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	bg := color.RGBA{0xe6, 0xe8, 0xeb, 0xff}
	fg := color.RGBA{0x9a, 0xa0, 0xa8, 0xff}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := bg
			dx, dy := x-32, y-24
			if dx*dx+dy*dy <= 12*12 { // head
				c = fg
			}
			sx, sy := x-32, y-64
			if sx*sx+sy*sy <= 26*26 { // shoulders
				c = fg
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func (s *Server) handleImages() {
	for _, p := range PlaceholderImages {
		s.mux.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Cache-Control", "public, max-age=86400")
			w.Write(noMasterPNG)
		})
	}
}
