--[[ site.lua: the web edition's pages, a pandoc filter. Not a lesson;
plumbing, like code/book.c.

./build.sh html runs pandoc once over the assembled book (bin/book's
output, the same text as book.md), read as GitHub reads it (gfm, with
$...$ and $$...$$ as TeX), so that every heading has the identifier GitHub
gives it in book.md ("exercises", "exercises-1", ...). This filter then
cuts the book into pages and writes each one through chapters/web/page.html:

  index.html        the preface (title, video map, notation, contents)
  NN_topic.html     chapter NN, one page each
  pad.html          the digit pad (chapters/web/pad.md)

Links to a heading (#id) are pointed at the page that holds it. Formulas
become MathML. Metadata from the command line: site (the folder to write
into), chapters (the chapters' names, 01_idx,02_affine,...), template,
pad (the pad page's markdown).
]]

local stringify = pandoc.utils.stringify

local function escape(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;')
              :gsub('"', '&quot;'))
end

local function read_file(path)
  local file = assert(io.open(path, 'r'))
  local text = file:read('a')
  file:close()
  return text
end

local function write_file(path, text)
  local file = assert(io.open(path, 'w'))
  file:write(text)
  file:close()
end

-- The pages: each a title, a file name and its blocks.
local function split(blocks, names)
  local pages, current = {}, nil
  for _, block in ipairs(blocks) do
    if block.t == 'Header' and block.level == 1 then
      local n = #pages
      local file = n == 0 and 'index.html' or (names[n] or
        error('site.lua: more chapters than names')) .. '.html'
      current = {title = stringify(block.content), file = file, blocks = {}}
      table.insert(pages, current)
    end
    if current then table.insert(current.blocks, block) end
  end
  return pages
end

-- Every identifier of a page, so that links to it can name the page.
local function identifiers(pages)
  local where = {}
  for _, page in ipairs(pages) do
    pandoc.walk_block(pandoc.Div(page.blocks), {
      Header = function(h) if h.identifier ~= '' then where[h.identifier] = page.file end end,
    })
  end
  return where
end

-- A code block may be wider than the page and scroll: it takes the
-- keyboard's focus too (tabindex), so that it can be scrolled without a
-- mouse.
local function focusable(block)
  block.attributes.tabindex = '0'
  return block
end

-- "#id" to "page.html#id" when the heading is on another page; and
-- "site/pad.html", how book.md (read in the repository) names a page of
-- the site, to "pad.html".
local function relink(page, where)
  return {
    Link = function(link)
      link.target = link.target:gsub('^site/', '')
      local id = link.target:match('^#(.+)$')
      if id then
        local file = where[id] or error('site.lua: a link to #' .. id .. ', which no heading has')
        if file ~= page.file then link.target = file .. '#' .. id end
      end
      return link
    end,
    CodeBlock = focusable,
  }
end

function Pandoc(doc)
  local site = stringify(doc.meta.site)
  local names = {}
  for name in stringify(doc.meta.chapters):gmatch('[^,]+') do table.insert(names, name) end
  local pages = split(doc.blocks, names)
  if #pages ~= #names + 1 then error('site.lua: ' .. #pages .. ' pages for ' .. #names .. ' chapters') end
  -- The pad, after the last chapter.
  local pad = pandoc.read(read_file(stringify(doc.meta.pad)), 'gfm+tex_math_dollars')
  local pad_page = split(pad.blocks, {})[1]
  pad_page.file = 'pad.html'
  pad_page.scripts = {'pad/wasi.js', 'pad/pad.wasm.js', 'pad/07_16_16.net.js',
                      'pad/09_best.net.js', 'pad/pad.js'}
  table.insert(pages, pad_page)
  local where = identifiers(pages)
  local template = pandoc.template.compile(read_file(stringify(doc.meta.template)))
  local book = escape(pages[1].title)
  for k, page in ipairs(pages) do
    local toc = {}
    for j, other in ipairs(pages) do
      table.insert(toc, {href = other.file, current = j == k,
                         title = escape(j == 1 and 'Preface' or other.title)})
    end
    local body = pandoc.walk_block(pandoc.Div(page.blocks), relink(page, where)).content
    local variables = {
      booktitle = book,
      toc = toc,
      script = page.scripts,
      prev = k > 1 and {href = pages[k - 1].file, title = toc[k - 1].title} or nil,
      next = k < #pages and {href = pages[k + 1].file, title = toc[k + 1].title} or nil,
    }
    variables.pagetitle = k == 1 and book or escape(page.title) .. ' · ' .. book
    local html = pandoc.write(pandoc.Pandoc(body, {}), 'html5',
                              {template = template, variables = variables,
                               html_math_method = 'mathml'})
    write_file(site .. '/' .. page.file, html)
  end
  return pandoc.Pandoc({}, {})
end
