{# finding: unnest | arrays #}
select genre
from unnest(genre_list) as genres (genre)
